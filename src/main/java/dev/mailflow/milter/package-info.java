/**
 * The client side of the Sendmail/Postfix milter protocol, version 6 (libmilter's
 * {@code mfdef.h}, as Postfix's {@code milter8.c} speaks it), so that the field's filters
 * (rspamd, OpenDKIM, OpenDMARC, clamav-milter, spamass-milter) see every message a receive
 * connector accepts.
 *
 * <p>The flow: {@link dev.mailflow.milter.MilterHook} is one configured milter among the
 * connector's policy hooks; each SMTP session gets its own
 * {@link dev.mailflow.milter.MilterSession}, which holds one {@link dev.mailflow.milter.MilterClient}
 * (a socket, the negotiated options) and turns the milter's answers into policy verdicts and
 * message edits. {@link dev.mailflow.milter.MilterConnection} frames packets
 * ({@link dev.mailflow.milter.Packet}) under a deadline; {@link dev.mailflow.milter.Macros} are
 * the macros sent at each stage, as Postfix sends them.
 */
package dev.mailflow.milter;
