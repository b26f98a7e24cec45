"use strict";
// Mailflow web console: a small page over the JSON API (docs/api.md). No inline script,
// no third-party code; every change sends the session's CSRF token. Every word of the page
// comes from the server's bundles (console*.properties) through t(): none is written here.
let csrf = null;
const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) e.append(k instanceof Node ? k : document.createTextNode(k == null ? "" : String(k)));
  return e;
};

// ---- Language ----
// The words of the page's language, embedded when the page was served (the switch's cookie,
// else Accept-Language); the switch fetches another language's and keeps the choice in a cookie.
let lang = "en", words = {};
// A message with its {0}, {1}... filled in (as text: el() makes text nodes of it, never HTML).
const t = (key, ...args) => (words[key] ?? key).replace(/\{(\d+)\}/g, (m, i) => (Number(i) < args.length ? String(args[i]) : m));
// A count in words: the key's ".one" form for one (every language has it, the same where there is no singular).
const tn = (key, n, ...args) => t(n === 1 ? key + ".one" : key, n, ...args);
// A word for a value from the server (a state, an event), or the value itself when it has none.
const tv = (prefix, value) => words[prefix + value] ?? value;
function useLanguage(page) {
  lang = page.lang; words = page.messages;
  document.documentElement.lang = page.tag;
  document.querySelectorAll("[data-i18n]").forEach((e) => (e.textContent = t(e.dataset.i18n)));
  document.querySelectorAll("[data-i18n-placeholder]").forEach((e) => (e.placeholder = t(e.dataset.i18nPlaceholder)));
  $("#lang").replaceChildren(...Object.entries(page.languages).map(([code, name]) =>
    el("option", { value: code, lang: code }, name)));
  $("#lang").value = lang;
}
$("#lang").addEventListener("change", async () => {
  const r = await fetch("/api/messages?lang=" + encodeURIComponent($("#lang").value), { credentials: "same-origin" });
  if (!r.ok) return;
  useLanguage(await r.json());
  document.cookie = "mailflow_lang=" + lang + "; Path=/; Max-Age=31536000; SameSite=Strict";
  const page = document.querySelector(".page:not([hidden])");
  if (page && page.id !== "login" && page.id !== "analyzer") show(page.id);
});
useLanguage(JSON.parse($("#messages").textContent));

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf || "";
  const r = await fetch("/api/" + path, { credentials: "same-origin", ...options, headers });
  if (r.status === 401) { show("login"); throw new Error(t("error.loginFirst")); }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || body.message || r.statusText);
  return body;
}

function show(page) {
  document.querySelectorAll(".page").forEach((p) => (p.hidden = p.id !== page));
  $("#nav").hidden = page === "login";
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === page));
  if (page !== "login" && location.hash !== "#" + page) history.replaceState(null, "", "#" + page);
  ({ overview: loadOverview, queue: loadQueue, mailboxes: loadMailboxes, analyzer: prefillAnalyzer })[page]?.();
}

async function start() {
  try { csrf = (await api("session")).csrf; show((location.hash || "#overview").slice(1)); }
  catch { show("login"); }
}

$("#login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("#login-error").textContent = "";
  const r = await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ password: $("#password").value }) });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) { $("#login-error").textContent = body.error || t("login.failed"); return; }
  csrf = body.csrf;
  $("#password").value = "";
  show("overview");
});
$("#logout").addEventListener("click", async () => { await api("logout", { method: "POST" }).catch(() => {}); csrf = null; show("login"); });
document.querySelectorAll("nav a").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); show(a.dataset.page); }));

// ---- Overview ----
async function loadOverview() {
  const s = await api("status");
  $("#host").textContent = t("overview.host", s.hostname, s.version);
  const q = s.queue, c = s.counters;
  // Counters count events since start (deferrals per recipient and attempt); the queue counts messages now.
  $("#counters").replaceChildren(
    ...[["counter.received", c.received], ["counter.delivered", c.delivered + c.sent],
      ["counter.deferralAttempts", c.deferralAttempts], ["counter.failed", c.failed],
      ["counter.dsn", c.dsn], ["counter.active", q.ACTIVE], ["counter.deferred", q.DEFERRED],
      ["counter.hold", q.HOLD]]
      .map(([k, v]) => el("div", { class: "card" }, el("b", {}, v ?? 0), t(k))));
  drawChart(s.perMinute);
  // Commands and messages the server refused, by the check that refused (dnsbl, limit, greylist, milter...).
  const rejections = Object.entries(s.rejections || {});
  $("#rejections tbody").replaceChildren(...rejections.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v))));
  $("#rejections").hidden = rejections.length === 0;
  $("#no-rejections").hidden = rejections.length > 0;
  // A cluster (shared queue): its nodes, each with its last heartbeat.
  $("#cluster").hidden = !s.nodes;
  $("#nodes tbody").replaceChildren(...(s.nodes || []).map((n) =>
    el("tr", {}, el("td", {}, n.nodeId + (n.self ? " " + t("overview.nodes.self") : "")), el("td", {}, n.hostname),
      el("td", { class: n.alive ? "ok" : n.stopped ? "" : "bad" },
        t(n.alive ? "overview.nodes.up" : n.stopped ? "overview.nodes.stopped" : "overview.nodes.down")),
      el("td", {}, n.heartbeat.replace("T", " ").slice(0, 19)), el("td", {}, n.startedAt.replace("T", " ").slice(0, 19)))));
  $("#connectors tbody").replaceChildren(...s.connectors.map((x) =>
    el("tr", {}, el("td", {}, x.name), el("td", {}, x.address), el("td", {}, t(x.anonymous ? "overview.access.anonymous" : "overview.access.authenticated")),
      el("td", {}, x.tls), el("td", {}, x.open), el("td", {}, x.total))));
  $("#latest tbody").replaceChildren(...s.latest.map((e) =>
    el("tr", {}, el("td", {}, e.time.replace("T", " ").slice(0, 19)), el("td", { title: e.event }, tv("event.", e.event)), el("td", {}, e.id),
      el("td", {}, e.sender || "<>"), el("td", {}, (e.recipients || []).join(", ")),
      el("td", e.explanation ? { title: e.status + ": " + e.explanation } : {}, e.detail || ""))));
}

function drawChart(rows) {
  const w = 1000, h = 120, ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`); svg.setAttribute("width", "100%"); svg.setAttribute("height", "120");
  const max = Math.max(1, ...rows.map((r) => Math.max(r.received, r.delivered, r.deferralAttempts)));
  const slot = w / 60;
  rows.slice(-60).forEach((r, i) => {
    [["received", r.received], ["delivered", r.delivered], ["deferred", r.deferralAttempts]].forEach(([k, v], j) => {
      const rect = document.createElementNS(ns, "rect");
      const bh = (v / max) * (h - 10);
      rect.setAttribute("x", i * slot + j * (slot / 3)); rect.setAttribute("y", h - bh);
      rect.setAttribute("width", slot / 3 - 1); rect.setAttribute("height", bh);
      rect.setAttribute("fill", { received: "#0b5cad", delivered: "#1a7f37", deferred: "#d4a72c" }[k]);
      const title = document.createElementNS(ns, "title");
      title.textContent = t("overview.chartBar", r.minute, v, t("overview.legend." + k)); rect.append(title);
      svg.append(rect);
    });
  });
  $("#chart").replaceChildren(svg);
}

// ---- Connectivity analyzer (server-sent events over a POST) ----
// Ready to test this very server: its first connector, and one of its mailboxes.
async function prefillAnalyzer() {
  if ($("#p-target").value) return;
  try {
    const s = await api("status");
    if (s.connectors.length) $("#p-target").value = s.connectors[0].address;
    const boxes = await api("mailboxes");
    if (boxes.length && !$("#p-to").value) $("#p-to").value = boxes[0].address;
    if (!$("#p-from").value) $("#p-from").value = "chris@contoso.com";
  } catch { /* the form stays empty */ }
}
let lastReport = null, lastText = "";
$("#probe-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("#probe-result");
  out.replaceChildren(el("p", { class: "muted" }, t("analyzer.running")));
  $("#probe-copy").hidden = true; $("#p-run").disabled = true;
  $("#probe-matrix").replaceChildren(); $("#probe-progress").hidden = true;
  lastText = "";
  const body = { target: $("#p-target").value, port: $("#p-port").value, from: $("#p-from").value,
    to: $("#p-to").value ? $("#p-to").value.split(/[ ,;]+/) : [], notify: $("#p-notify").value,
    dnsServer: $("#p-dns").value, starttls: $("#p-starttls").value, auth: $("#p-auth").value, data: $("#p-data").checked,
    mode: $("#p-mode").value, dnsbl: $("#p-dnsbl").value ? $("#p-dnsbl").value.split(/[ ,;]+/) : [],
    tlsGrade: $("#p-grade").checked, roundTrip: $("#p-roundtrip").checked, wait: $("#p-wait").value, lang };
  try {
    const r = await fetch("/api/probe", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) });
    if (!r.ok) { const b = await r.json().catch(() => ({})); throw new Error(b.error || r.statusText); }
    out.replaceChildren();
    const reader = r.body.getReader(), dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const chunk = buf.slice(0, i); buf = buf.slice(i + 2);
        const ev = /^event: (\w+)/m.exec(chunk)?.[1], data = /^data: (.*)$/m.exec(chunk)?.[1];
        if (!data) continue;
        const obj = JSON.parse(data);
        if (ev === "waiting") { $("#probe-progress").hidden = false; $("#probe-progress").textContent = t("analyzer.waiting", obj.what); }
        if (ev === "step") out.append(renderStep(obj));
        if (ev === "matrix") $("#probe-matrix").replaceChildren(renderMatrix(obj));
        if (ev === "done") {
          lastReport = obj; $("#probe-progress").hidden = true;
          out.append(el("p", { class: "outcome", id: "probe-outcome" }, t("analyzer.result", obj.outcome)));
        }
      }
    }
    $("#probe-copy").hidden = false;
  } catch (err) { out.replaceChildren(el("p", { class: "error" }, err.message)); }
  finally { $("#p-run").disabled = false; }
});

// The server checks: one POST, a table of verdicts (the same JSON as mailflow probe --json).
$("#checks-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("#checks-result");
  out.replaceChildren(el("p", { class: "muted" }, t("analyzer.running")));
  $("#c-run").disabled = true;
  const test = $("#c-test").value;
  const body = { test, target: $("#p-target").value, port: $("#p-port").value, from: $("#p-from").value,
    to: ($("#p-to").value.split(/[ ,;]+/)[0] || ""), dnsServer: $("#p-dns").value, consent: $("#c-consent").checked, lang };
  try {
    const d = await api("checks", { method: "POST", body: JSON.stringify(body) });
    const rows = d.addresses || d.relay || d.conformance || [];
    const head = el("tr", {}, el("th", {}, t("checks.verdict")), el("th", {}, t("checks.name")),
      test === "conformance" ? "" : el("th", {}, t("checks.reply")), el("th", {}, t("checks.detail")));
    const body2 = rows.map((c) => el("tr", { class: "check-" + c.verdict, "data-check": c.name || c.form },
      el("td", { class: "status" }, c.verdict), el("td", {}, c.name || c.form, c.recipient ? el("div", { class: "muted" }, "RCPT TO:<" + c.recipient + ">") : ""),
      test === "conformance" ? "" : el("td", {}, c.reply || ""), el("td", {}, c.detail || "")));
    const failed = rows.filter((c) => c.verdict === "fail").length, warned = rows.filter((c) => c.verdict === "warn").length;
    out.replaceChildren(el("table", { id: "checks-table" }, el("thead", {}, head), el("tbody", {}, ...body2)),
      el("p", { class: "outcome", id: "checks-outcome" }, test === "relay" ? t(d.openRelay ? "checks.openRelay" : "checks.closed")
        : t("checks.summary", failed, warned, rows.length - failed - warned)));
  } catch (err) { out.replaceChildren(el("p", { class: "error" }, err.message)); }
  finally { $("#c-run").disabled = false; }
});

function renderStep(s) {
  lastText += `[${s.status}] ${s.name} ${s.millis} ms\n` + s.exchange.map((l) => "  " + l + "\n").join("") +
    s.meaning.map((l) => "  = " + l + "\n").join("") + s.reasons.map((l) => "  - " + l + "\n").join("");
  return el("div", { class: "step " + s.status, "data-step": s.name },
    el("div", { class: "head" }, el("span", { class: "status" }, tv("status.", s.status)), el("span", {}, s.name), el("span", { class: "muted" }, t("analyzer.millis", s.millis))),
    s.name === "ROUND-TRIP" && s.details?.arrivals ? renderRoundTrip(s.details) : "",
    s.exchange.length ? el("pre", {}, s.exchange.join("\n")) : "",
    ...s.meaning.map((m) => el("div", { class: "meaning" }, m)),
    s.reasons.length ? el("ul", { class: "reasons" }, ...s.reasons.map((r) => el("li", {}, r))) : "");
}
// The round trip as a timeline: sent, accepted, then each report as it came, with its time.
function renderRoundTrip(d) {
  const items = [el("li", { class: "SEND" }, el("b", {}, "+0 s "), t("roundTrip.sent", d.messageId, d.returnPath, d.envid),
    d.dsnOffered ? "" : " " + t("roundTrip.noDsn"))];
  for (const a of d.arrivals) {
    const rcpts = (a.recipients || []).map((r) => el("div", {}, t("roundTrip.recipient", r.finalRecipient, tv("dsnAction.", r.action), r.status || ""),
      r.remoteMta ? " " + t("roundTrip.via", r.remoteMta) : "", r.diagnosticCode ? " — " + r.diagnosticCode : ""));
    const failed = (a.recipients || []).some((r) => r.action === "failed");
    items.push(el("li", { class: failed ? "FAIL" : a.kind === "dsn" && (a.recipients || []).every((r) => r.action === "delayed") ? "DEFER" : "DELIVER" },
      el("b", {}, "+" + (a.afterMillis / 1000).toFixed(1) + " s "), t(a.kind === "dsn" ? "roundTrip.report" : "roundTrip.reply", a.from || "?"),
      a.reportingMta ? " (" + a.reportingMta + ")" : "", ...rcpts));
  }
  if (!d.arrivals.length) items.push(el("li", { class: "DEFER" }, t("roundTrip.nothing")));
  return el("ol", { class: "timeline", id: "round-trip-timeline" }, ...items);
}

// Every MX and address: one row per address, one cell per step, each with its time.
const MATRIX_STEPS = ["CONNECT", "BANNER", "EHLO", "STARTTLS", "CERTIFICATE", "MAIL", "RCPT", "PTR", "DNSBL", "TLS"];
function renderMatrix(entries) {
  lastText += "\n" + t("matrix.copyTitle") + "\n";
  const rows = [];
  for (const mx of entries) {
    if (!mx.addresses.length) {
      rows.push(el("tr", { "data-mx": mx.host }, el("td", {}, mx.preference), el("td", {}, mx.host), el("td", { class: "FAIL", colspan: MATRIX_STEPS.length + 1 }, mx.problem || t("matrix.noAddress"))));
      lastText += `  ${mx.preference} ${mx.host}: ${mx.problem || t("matrix.noAddress")}\n`;
    }
    for (const a of mx.addresses) {
      const cells = MATRIX_STEPS.map((n) => {
        const c = a.steps.find((x) => x.name === n);
        if (!c) return el("td", { class: "cell SKIP" }, "");
        const label = n === "TLS" && c.details?.grade ? c.details.grade : tv("status.", c.status);
        return el("td", { class: "cell " + c.status, title: c.detail }, label, el("small", {}, c.millis ? " " + t("analyzer.millis", c.millis) : ""));
      });
      rows.push(el("tr", { "data-address": a.address, class: a.result },
        el("td", {}, mx.preference), el("td", {}, mx.host), el("td", {}, a.address), ...cells));
      lastText += `  ${mx.preference} ${mx.host} ${a.address}: ${a.result}` + (a.summary.length ? " — " + a.summary.join("; ") : "") + "\n";
    }
  }
  const summaries = entries.flatMap((mx) => mx.addresses.filter((a) => a.summary.length)
    .map((a) => el("li", { class: a.result }, el("b", {}, a.address + " (" + mx.host + "): "), a.summary.join("; "))));
  return el("div", {}, el("h3", {}, t("matrix.title")),
    el("table", { class: "matrix", id: "matrix-table" }, el("thead", {}, el("tr", {}, el("th", {}, t("matrix.preference")), el("th", {}, "MX"), el("th", {}, t("matrix.address")), ...MATRIX_STEPS.map((n) => el("th", {}, n)))),
      el("tbody", {}, ...rows)),
    summaries.length ? el("ul", { class: "summaries" }, ...summaries) : "");
}
$("#copy-text").addEventListener("click", () => navigator.clipboard?.writeText(lastText));
$("#copy-json").addEventListener("click", () => navigator.clipboard?.writeText(JSON.stringify(lastReport, null, 2)));
// The report as mailflow probe --format html writes it: one self-contained file, made by the server.
$("#download-html").addEventListener("click", async () => {
  try {
    const r = await fetch("/api/probe/html", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(lastReport) });
    if (!r.ok) { const b = await r.json().catch(() => ({})); throw new Error(b.error || r.statusText); }
    const name = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "")?.[1] || "mailflow-probe.html";
    const url = URL.createObjectURL(await r.blob());
    const a = el("a", { href: url, download: name });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) { $("#probe-result").append(el("p", { class: "error" }, err.message)); }
});

// ---- Queue ----
let queuePage = 1;
$("#q-state").addEventListener("change", () => { queuePage = 1; loadQueue(); });
$("#q-prev").addEventListener("click", () => { if (queuePage > 1) { queuePage--; loadQueue(); } });
$("#q-next").addEventListener("click", () => { queuePage++; loadQueue(); });
async function loadQueue() {
  const state = $("#q-state").value;
  const q = await api("queue?page=" + queuePage + (state ? "&state=" + state : ""));
  const pages = Math.max(1, Math.ceil(q.total / q.size));
  if (queuePage > pages) { queuePage = pages; return loadQueue(); }
  $("#q-page").textContent = t("queue.page", queuePage, pages);
  $("#q-prev").disabled = queuePage <= 1; $("#q-next").disabled = queuePage >= pages;
  $("#q-counts").textContent = Object.entries(q.counts).map(([k, v]) => t("queue.count", tv("state.", k), v)).join(" · ");
  $("#q-table tbody").replaceChildren(...q.messages.map((m) =>
    el("tr", { class: "clickable", "data-id": m.id, onclick: () => showQueued(m.id) },
      el("td", {}, m.id), el("td", {}, tv("state.", m.state)), el("td", {}, age(m.ageSeconds)), el("td", {}, m.size),
      el("td", {}, m.sender || "<>"), el("td", {}, m.recipients.join(", ")), el("td", { class: "why" }, whyItWaits(m)))));
  if (!q.messages.length) $("#q-table tbody").append(el("tr", {}, el("td", { colspan: 7, class: "muted" }, t("queue.none"))));
}
const age = (s) => s < 120 ? t("age.seconds", s) : s < 7200 ? t("age.minutes", Math.floor(s / 60))
  : s < 172800 ? t("age.hours", Math.floor(s / 3600)) : t("age.days", Math.floor(s / 86400));
// When the next attempt is: "now", or "in 59m (2026-11-23T18:30:00Z)".
const nextAttempt = (at) => {
  const s = at ? Math.round((Date.parse(at) - Date.now()) / 1000) : 0;
  return s > 0 ? t("queue.nextIn", age(s), at.replace(/\.\d+Z$/, "Z")) : t("queue.nextNow");
};
// Why a message waits, as the queue list says it: on hold and why, or its last error and next attempt.
function whyItWaits(m) {
  if (m.holdReason) return m.holdReason + (m.attempts > 0 ? " · " + tn("queue.attempts", m.attempts) : "");
  const parts = [];
  if (m.lastError) parts.push(m.lastError);
  if (m.attempts > 0) parts.push(tn("queue.attemptsNext", m.attempts, nextAttempt(m.nextAttempt)));
  return parts.join(" · ");
}
async function showQueued(id) {
  const d = await api("queue/" + id), m = d.message;
  // Each action says what it did (or why it could not), as the command line does.
  const act = (a) => el("button", { type: "button", class: "secondary", "data-action": a, onclick: async () => {
    let said;
    try { said = el("p", { id: "q-result" }, (await api(`queue/${id}/${a}`, { method: "POST" })).message); }
    catch (err) { said = el("p", { id: "q-result", class: "error" }, err.message); }
    await loadQueue(); $("#q-detail").replaceChildren(said); } }, t("queue.action." + a));
  $("#q-detail").replaceChildren(el("h3", {}, t("queue.message", id, tv("state.", m.state))),
    el("div", { class: "actions" }, act("retry"), act("hold"), act("release"), act("delete")),
    el("table", {}, el("tbody", {},
      el("tr", {}, el("th", {}, "Message-ID"), el("td", {}, m.envelope.messageId)),
      el("tr", {}, el("th", {}, t("queue.sender")), el("td", {}, addr(m.envelope.sender) || "<>")),
      el("tr", {}, el("th", {}, t("queue.received")), el("td", {}, t("queue.receivedFrom", m.envelope.receivedAt, m.envelope.heloName, m.envelope.clientAddress))),
      el("tr", {}, el("th", {}, t("queue.attemptsLabel")), el("td", {}, m.state === "DEFERRED"
        ? t("queue.attemptsCountNext", m.status.attempts, nextAttempt(m.status.nextAttempt)) : t("queue.attemptsCount", m.status.attempts))),
      m.state === "HOLD" ? el("tr", {}, el("th", {}, t("queue.onHold")), el("td", {}, m.status.holdReason || t("queue.heldByOperator"))) : "",
      el("tr", {}, el("th", {}, t("queue.lastError")), el("td", {}, m.status.lastError || "")),
      ...d.recipients.map((r) => el("tr", {}, el("th", {}, r.original ? t("queue.recipientFor", r.address, r.original) : r.address),
        el("td", {}, [r.status, r.enhancedStatus, r.explanation ? "(" + r.explanation + ")" : "", r.detail].filter(Boolean).join(" ")))))),
    ...authTable(m.envelope.authentication),
    el("h3", {}, t("queue.headers")), el("pre", {}, d.headers.join("\n")));
}
// The email authentication results the server found when it received the message.
function authTable(a) {
  if (!a) return [];
  const row = (method, c) => el("tr", {}, el("th", {}, method), el("td", { class: "auth-" + c.result }, c.result),
    el("td", {}, [c.domain, c.detail].filter(Boolean).join(" ")), el("td", {}, c.reason || ""));
  const rows = [row("SPF", a.spf), ...(a.dkim.length ? a.dkim.map((c) => row("DKIM", c))
    : [row("DKIM", { result: "none", reason: t("auth.notSigned") })]), row("DMARC", a.dmarc), row("ARC", a.arc)];
  return [el("h3", {}, t("auth.title")), el("table", { id: "q-auth" }, el("thead", {}, el("tr", {},
    el("th", {}, t("auth.check")), el("th", {}, t("auth.result")), el("th", {}, t("auth.for")), el("th", {}, t("auth.why")))), el("tbody", {}, ...rows))];
}
const authBrief = (a) => a ? "spf=" + a.spf.result + " dkim=" + (a.dkim.length ? a.dkim.map((c) => c.result).join(",") : "none")
  + " dmarc=" + a.dmarc.result + " arc=" + a.arc.result : "";
const addr = (a) => a.domain ? a.localPart + "@" + a.domain : a.localPart;

// ---- Tracking ----
$("#t-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const p = new URLSearchParams({ sender: $("#t-sender").value, recipient: $("#t-recipient").value,
    messageId: $("#t-msgid").value, id: $("#t-id").value, since: $("#t-since").value });
  const events = await api("track?" + p);
  $("#t-timeline").replaceChildren(...(events.length ? events.map((ev) =>
    el("li", { class: ev.event }, el("b", { title: ev.event }, tv("event.", ev.event)), " ", ev.time.replace("T", " ").slice(0, 23), " · ", t("tracking.id", ev.id),
      el("div", { class: "muted" }, (ev.sender || "<>") + " → " + (ev.recipients || []).join(", ")),
      el("div", {}, [ev.status, ev.explanation ? "(" + ev.explanation + ")" : "", ev.detail, ev.remoteMta ? "(" + ev.remoteMta + ")" : "", authBrief(ev.authentication)].filter(Boolean).join(" ")))) :
    [el("li", {}, t("tracking.none"))]));
});

// ---- Mailboxes ----
async function loadMailboxes() {
  const list = await api("mailboxes");
  $("#m-list").replaceChildren(...list.map((m) => el("li", { "data-mailbox": m.address, onclick: (e) => openMailbox(m.address, e.currentTarget) },
    m.address, " ", el("span", { class: "muted" }, t("mailboxes.count", m.messages)))));
}
async function openMailbox(address, li) {
  document.querySelectorAll("#m-list li").forEach((x) => x.classList.toggle("active", x === li));
  const msgs = await api("mailboxes/" + encodeURIComponent(address) + "/messages");
  $("#m-view").replaceChildren();
  $("#m-messages tbody").replaceChildren(...msgs.map((m) => el("tr", { class: "clickable", "data-message": m.name,
    onclick: () => openMessage(address, m.name) }, el("td", {}, m.date), el("td", {}, m.from), el("td", {}, m.subject), el("td", {}, m.size))));
}
async function openMessage(address, name) {
  const base = "mailboxes/" + encodeURIComponent(address) + "/messages/" + encodeURIComponent(name);
  const m = await api(base);
  const parts = [el("h3", {}, m.subject || t("message.noSubject")),
    el("div", { class: "actions" }, el("a", { href: "/api/" + base + "/raw", download: "message.eml" }, t("message.download"))),
    el("pre", {}, m.headers.join("\n"))];
  if (m.hasHtml) parts.push(el("iframe", { class: "message", sandbox: "", referrerpolicy: "no-referrer", src: "/api/" + base + "/html", title: t("message.htmlPart") }));
  if (m.text) parts.push(el("pre", {}, m.text));
  if (m.attachments.length) parts.push(el("ul", {}, ...m.attachments.map((a) => el("li", {}, t("message.attachment", a.name, a.type, a.size)))));
  $("#m-view").replaceChildren(...parts);
}

start();
