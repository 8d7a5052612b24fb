/**
 * Internal: the NTT engine and limb-kernel interfaces, their scalar implementations, and the
 * twiddle tables. Not exported from the module; use {@link org.ciphernet.ntt.Ntt} and
 * {@link org.ciphernet.ntt.LimbOps}.
 */
package org.ciphernet.ntt.internal;
