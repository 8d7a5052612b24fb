/** The {@code ciphernet} command-line tool. Exports nothing: it is an application. */
module org.ciphernet.cli {
    requires org.ciphernet.ntt;
    requires org.ciphernet.ckks;
    requires org.ciphernet.nn;
    requires org.ciphernet.harness;
    requires org.ciphernet.spark;
    requires org.ciphernet.serve;
    requires info.picocli;
    requires me.tongfei.progressbar;

    opens org.ciphernet.cli to info.picocli;
}
