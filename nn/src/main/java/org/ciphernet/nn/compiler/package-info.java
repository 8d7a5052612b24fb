/**
 * The compiler: turns a {@link org.ciphernet.nn.model.Network} into an
 * {@link org.ciphernet.nn.HePlan} with {@link org.ciphernet.nn.compiler.Compiler#compile}, as a
 * short list of passes, one class each (lowering to sparse linear maps, fusion, level scheduling,
 * parameter choice, scale assignment, rescale deferral, diagonal planning, key selection,
 * reporting, emission), with layout variants compared by estimated cost. Only
 * {@link org.ciphernet.nn.compiler.Compiler} and {@link org.ciphernet.nn.compiler.CompileOptions}
 * are public: the compiler's working data (the IR, sparse matrices, layouts) never leaves the
 * package, and runtimes read only the plan.
 */
package org.ciphernet.nn.compiler;
