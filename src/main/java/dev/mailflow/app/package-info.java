/**
 * The command line (picocli), configuration loading and the wiring of the parts. Nothing
 * else depends on this package.
 */
package dev.mailflow.app;
