/**
 * The command line (picocli), configuration loading and the wiring of the parts. Nothing
 * else depends on this package.
 *
 * <p>Configuration: each part of the TOML file is a {@code ConfigSection} ({@code *Section}
 * classes) that declares its keys ({@code ConfigKey}, made by {@code Keys}) and reads its own
 * {@code ConfigTable}; {@code ConfigSections.ALL} lists them, and the schema, the
 * documentation test and what a reload reports ({@code ConfigDiff}) all come from those
 * declarations. {@code ConfigLoader} parses and checks; {@code MailflowConfig} puts the
 * sections' values together for the rest of the program. {@code ConfigReload} applies a new
 * file to the running server (SIGHUP, {@code mailflow reload}).
 */
package dev.mailflow.app;
