/**
 * The reproducibility harness: reads the model zoo and the case tables under {@code testdata/},
 * runs each trained model on real test images in plain doubles and encrypted
 * ({@link org.ciphernet.harness.Harness}), and writes Markdown, CSV and PNG reports
 * ({@link org.ciphernet.harness.Report}).
 */
package org.ciphernet.harness;
