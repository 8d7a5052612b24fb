/**
 * Internal: Vector-API ({@code jdk.incubator.vector}) implementations of the NTT and limb kernels
 * on double/FMA lanes, with their error analysis in {@code DoubleModMath}. Loaded only when the
 * incubator module is present. Not exported.
 */
package org.ciphernet.ntt.internal.vector;
