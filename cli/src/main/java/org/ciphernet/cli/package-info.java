/** The {@code ciphernet} command-line tool: {@link org.ciphernet.cli.Main} and its subcommands. */
package org.ciphernet.cli;
