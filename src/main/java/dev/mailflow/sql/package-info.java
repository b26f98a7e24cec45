/**
 * What the PostgreSQL users (the directory, the shared queue) share about databases: how a
 * failure is told to an administrator.
 */
package dev.mailflow.sql;
