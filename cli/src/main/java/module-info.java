/** The {@code ciphernet} command-line tool. Exports nothing: it is an application. */
module org.ciphernet.cli {
    requires org.ciphernet.ntt;
    requires org.ciphernet.ckks;
    requires org.ciphernet.nn;
    requires info.picocli;

    opens org.ciphernet.cli to info.picocli;
}
