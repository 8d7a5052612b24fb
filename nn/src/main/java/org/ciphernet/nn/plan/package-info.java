/**
 * The compiled program: what a runtime executes, as immutable values. An
 * {@link org.ciphernet.nn.HePlan} is a list of {@link org.ciphernet.nn.plan.PlanStep}s, each with
 * its levels and scale fixed and an {@link org.ciphernet.nn.plan.Operation} that says exactly what
 * to do: which weights (diagonals pre-rotated for the diagonal method as a
 * {@link org.ciphernet.nn.plan.DiagonalSchedule}, or rows of weights for batched sums), at which
 * scale they are encoded, and in which order a square relinearizes and rescales. The
 * {@link org.ciphernet.nn.plan.RotationKeys} say which rotations have their own key and how the
 * others are composed. Nothing here knows how a plan was compiled: the compiler writes these
 * values, plan files carry them, and runtimes read them.
 */
package org.ciphernet.nn.plan;
