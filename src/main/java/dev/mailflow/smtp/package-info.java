/**
 * The SMTP protocol with no I/O: commands and their parser, the reply catalogue,
 * enhanced status codes and the one status catalogue that explains them (to the DSN, the
 * web console and the tester), mailbox addresses and domains, ESMTP parameters, and
 * DATA framing.
 *
 * <p>Everything here is pure and deterministic so it can be driven by transcript
 * tests and property tests. Input from the network is untrusted: the parsers never
 * throw on bad input, they return a reply to send instead (SECURITY).
 *
 * <p>RFCs: 5321 (SMTP), 1869/5321 EHLO, 1870 (SIZE), 2920 (PIPELINING), 3030
 * (CHUNKING, BINARYMIME), 3461 (DSN), 3463 (enhanced status codes), 6152 (8BITMIME),
 * 6531 (SMTPUTF8).
 */
package dev.mailflow.smtp;
