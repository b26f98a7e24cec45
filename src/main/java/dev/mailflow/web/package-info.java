/**
 * The web console: the tester as a page (the Remote Connectivity Analyzer the seeds point
 * to), and the queue, message tracking and mailboxes, served by the same process on
 * localhost with a JSON API under {@code /api} (docs/api.md) and Prometheus metrics at
 * {@code /metrics}.
 *
 * <p>Built on the JDK's own HTTP server (jdk.httpserver) with a virtual thread per request:
 * an admin console for a handful of users needs no framework. SECURITY: every page and API
 * call but the login needs a session cookie (HttpOnly, SameSite=Strict); every call that
 * changes something also needs the session's CSRF token in {@code X-CSRF-Token}; logins are
 * rate-limited per address; message HTML is shown only in a sandboxed frame whose content
 * security policy blocks scripts and remote content.
 *
 * <p>Every word of the page and of the API's own errors is in a resource bundle per language
 * ({@code ConsoleText}): the page is served with its language's words in a
 * JSON data block that app.js applies to the {@code data-i18n} elements, as text.
 */
package dev.mailflow.web;
