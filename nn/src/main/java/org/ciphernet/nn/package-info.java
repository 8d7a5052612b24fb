/**
 * The HE-CNN engine: networks of convolutions, dense layers, x² and quadratic activations, pooling
 * and skip connections, planned onto CKKS levels and slots. Not implemented yet (issue 4); this
 * package marks the top of the layering ntt → ckks → nn.
 */
package org.ciphernet.nn;
