/**
 * Compiler internals (not exported): sparse linear maps, the lowered graph, node fusing, level
 * scheduling and the diagonal (baby-step giant-step) plans of matrix–vector products.
 */
package org.ciphernet.nn.internal;
