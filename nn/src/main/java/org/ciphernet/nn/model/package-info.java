/**
 * The model: a graph of HE-friendly layers ({@link org.ciphernet.nn.model.Network}) and its
 * plaintext double-precision reference ({@link org.ciphernet.nn.model.ReferenceEvaluator}).
 */
package org.ciphernet.nn.model;
