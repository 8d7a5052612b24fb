package org.ciphernet.cli;

import java.nio.file.Path;

/** Where the repository and its {@code testdata} folder are: the launcher passes {@code -Dciphernet.home}. */
final class Home {
    private Home() {
    }

    static Path root() {
        return Path.of(System.getProperty("ciphernet.home", "."));
    }

    static Path testdata() {
        return root().resolve("testdata");
    }
}
