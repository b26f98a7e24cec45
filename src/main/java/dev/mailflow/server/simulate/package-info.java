/**
 * A receive connector for test rigs ({@code mode = "simulate"}): the reply to each RCPT, and to
 * the end of data, is chosen by the recipient's local part ({@link dev.mailflow.server.simulate.SimulationRule}),
 * in the spirit of BadSMTP and of the {@code rcpt550_5.1.1@} convention, so that developers can
 * test their bounce and retry handling; mail that is accepted goes to one mailbox for
 * inspection ({@link dev.mailflow.server.simulate.SimulationHook}).
 */
package dev.mailflow.server.simulate;
