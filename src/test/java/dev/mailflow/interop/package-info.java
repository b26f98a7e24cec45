/** Interop tests: Mailflow against real clients nobody here wrote (swaks, Python, Angus Mail). */
package dev.mailflow.interop;
