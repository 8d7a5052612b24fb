/**
 * The model: a graph of HE-friendly layers ({@link org.ciphernet.nn.model.Network}: convolutions,
 * dense, batch-norm, pooling, squares and quadratics, additions for skips) and its plaintext
 * double-precision reference ({@link org.ciphernet.nn.model.ReferenceEvaluator}), the ground truth
 * every encrypted result is checked against. Non-polynomial layers are refused when a network is
 * built, naming the HE-friendly replacement. Depends on nothing else in the engine.
 */
package org.ciphernet.nn.model;
