/**
 * Who we are mail for: accepted domains, mailboxes, aliases and catch-alls (Exchange's
 * accepted domains and recipients). The receive side asks it whether a recipient exists;
 * local delivery asks it where a recipient's mail goes.
 */
package dev.mailflow.directory;
