/**
 * The HE-CNN engine (issue 4). Only the module's place in the layering exists so far, so it
 * exports nothing yet.
 */
module org.ciphernet.nn {
    requires transitive org.ciphernet.ckks;
}
