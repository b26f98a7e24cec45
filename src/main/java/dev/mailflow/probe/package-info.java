/**
 * The mail-flow tester: the seeds' procedure (look up the MX, connect, EHLO, MAIL, RCPT,
 * DATA, QUIT) run against any server, each step with what was sent, what came back and
 * what it means, and for failures the possible reasons the seeds give.
 */
package dev.mailflow.probe;
