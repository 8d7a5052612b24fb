package org.ciphernet.cli;

import java.nio.file.Path;

/** Where the repository's {@code testdata} folder is: the launcher passes {@code -Dciphernet.home}. */
final class Home {
    private Home() {
    }

    static Path testdata() {
        return Path.of(System.getProperty("ciphernet.home", ".")).resolve("testdata");
    }
}
