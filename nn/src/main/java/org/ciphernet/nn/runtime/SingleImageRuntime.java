package org.ciphernet.nn.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.Encoder;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.Plaintext;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.RotationKeys;

/**
 * Runs a single-image plan: the whole tensor in the slots of one ciphertext. Linear steps are
 * diagonal products ({@link DiagonalSchedule}): the baby rotations share one hoisted
 * decomposition, each giant group is a multiply-accumulate of plaintext diagonals, and the giant
 * steps, the fold and the bias follow as the schedule says. Rotations without their own key are
 * composed as the plan's {@link RotationKeys} say. The diagonals are encoded once, when the runtime
 * is built, if they fit the plaintext cache; otherwise each step encodes its own as it runs.
 */
public final class SingleImageRuntime extends PlanRuntime {
    private final Encoder encoder;
    private final GaloisKeys galois;
    private final RotationKeys keys;
    /** Per diagonal step: its plaintexts [giant][baby], when they fit the cache. */
    private final Map<Integer, Plaintext[][]> cache = new HashMap<>();

    /**
     * A runtime.
     *
     * @param plaintextCacheBytes memory allowed for pre-encoded weights
     */
    public SingleImageRuntime(CkksContext context, List<PlanStep> steps, RotationKeys keys, GaloisKeys galois,
            RelinearizationKey relin, Workers workers, long plaintextCacheBytes) {
        super(context, steps, relin, workers);
        this.encoder = new Encoder(context);
        this.galois = galois;
        this.keys = keys;
        if (cacheBytes(context, steps) <= plaintextCacheBytes) {
            for (PlanStep s : steps) {
                if (s.operation() instanceof Operation.DiagonalProduct d) {
                    cache.put(s.index(), encodeDiagonals(s, d));
                }
            }
        }
    }

    /** Memory the pre-encoded weights of a plan take. */
    public static long cacheBytes(CkksContext context, List<PlanStep> steps) {
        long b = 0;
        for (PlanStep s : steps) {
            if (s.operation() instanceof Operation.DiagonalProduct d) {
                b += (long) d.schedule().diagonals() * (s.levelIn() + 1) * context.degree() * 8L;
            }
        }
        return b;
    }

    @Override
    List<Ciphertext> linear(PlanStep s, List<Ciphertext> x) {
        return switch (s.operation()) {
            case Operation.AddBias b -> {
                Ciphertext c = x.get(0);
                yield List.of(eval.addPlain(c, encoder.encode(slotVector(b.bias()), c.level(), c.scale())));
            }
            case Operation.Align a -> {
                Ciphertext in = droppedTo(s.levelIn(), x).get(0);
                Plaintext one = encoder.encodeConstant(1.0, s.levelIn(), a.weightScale());
                yield List.of(eval.rescale(eval.multiplyPlain(in, one)));
            }
            case Operation.DiagonalProduct d -> List.of(diagonalProduct(s, d, droppedTo(s.levelIn(), x).get(0)));
            default -> throw new IllegalStateException("a single-image plan cannot run a " + s.kind() + " step like " + s.operation());
        };
    }

    private Ciphertext diagonalProduct(PlanStep s, Operation.DiagonalProduct op, Ciphertext x) {
        DiagonalSchedule p = op.schedule();
        int[] babies = p.babies();
        int[] giants = p.giants();
        if (giants.length == 0) { // an all-zero matrix: only the bias remains
            Ciphertext zero = eval.rescale(eval.multiplyPlain(x, encoder.encodeConstant(0.0, s.levelIn(), op.weightScale())));
            return op.hasBias() ? eval.addPlain(zero, encoder.encode(slotVector(op.bias()), zero.level(), zero.scale())) : zero;
        }
        Ciphertext[] rotated = rotateBabies(x, babies);
        Plaintext[][] cached = cache.get(s.index());
        List<Ciphertext> groups = workers.map(giants.length, gi -> {
            List<Ciphertext> cts = new ArrayList<>();
            List<Plaintext> pts = new ArrayList<>();
            for (int bi = 0; bi < babies.length; bi++) {
                if (p.hasDiagonal(gi, bi)) {
                    cts.add(rotated[bi]);
                    pts.add(cached != null ? cached[gi][bi] : encoder.encode(p.diagonal(gi, bi), s.levelIn(), op.weightScale()));
                }
            }
            return eval.multiplyAccumulate(cts.toArray(Ciphertext[]::new), pts.toArray(Plaintext[]::new));
        });
        int n1 = p.n1();
        Ciphertext acc;
        if (p.horner()) {
            Map<Integer, Ciphertext> byK = new HashMap<>();
            for (int gi = 0; gi < giants.length; gi++) {
                byK.put(giants[gi], groups.get(gi));
            }
            int kMin = giants[0];
            int kMax = giants[giants.length - 1];
            acc = byK.get(kMax);
            for (int k = kMax - 1; k >= kMin; k--) {
                acc = rotate(acc, n1);
                Ciphertext y = byK.get(k);
                if (y != null) {
                    acc = eval.add(acc, y);
                }
            }
            if (kMin != 0) {
                acc = rotate(acc, kMin * n1);
            }
        } else {
            acc = null;
            for (int gi = 0; gi < giants.length; gi++) {
                Ciphertext y = giants[gi] == 0 ? groups.get(gi) : rotate(groups.get(gi), giants[gi] * n1);
                acc = acc == null ? y : eval.add(acc, y);
            }
        }
        acc = eval.rescale(acc);
        if (p.foldRotations() > 0) {
            if (p.foldStart() != 0) {
                acc = rotate(acc, p.foldStart() * p.fold());
            }
            for (int c = 1; c < p.foldCount(); c <<= 1) {
                acc = eval.add(acc, rotate(acc, c * p.fold()));
            }
        }
        if (op.hasBias()) {
            acc = eval.addPlain(acc, encoder.encode(slotVector(op.bias()), acc.level(), acc.scale()));
        }
        return acc;
    }

    /** A rotation with its own key, or composed from keyed steps. */
    private Ciphertext rotate(Ciphertext c, int step) {
        for (int s : keys.compose(step)) {
            c = eval.rotate(c, s, galois);
        }
        return c;
    }

    /** Baby steps: those with keys share one hoisted decomposition; the others are composed. */
    private Ciphertext[] rotateBabies(Ciphertext x, int[] babies) {
        List<Integer> keyed = new ArrayList<>();
        for (int b : babies) {
            if (keys.has(b) || b == 0) {
                keyed.add(b);
            }
        }
        Ciphertext[] hoisted = eval.rotateHoisted(x, keyed.stream().mapToInt(Integer::intValue).toArray(), galois);
        Ciphertext[] out = new Ciphertext[babies.length];
        for (int i = 0, k = 0; i < babies.length; i++) {
            out[i] = keyed.contains(babies[i]) ? hoisted[k++] : rotate(x, babies[i]);
        }
        return out;
    }

    private Plaintext[][] encodeDiagonals(PlanStep s, Operation.DiagonalProduct op) {
        DiagonalSchedule p = op.schedule();
        int g = p.giants().length;
        int b = p.babies().length;
        Plaintext[][] pts = new Plaintext[g][b];
        List<int[]> jobs = new ArrayList<>();
        for (int gi = 0; gi < g; gi++) {
            for (int bi = 0; bi < b; bi++) {
                if (p.hasDiagonal(gi, bi)) {
                    jobs.add(new int[] {gi, bi});
                }
            }
        }
        List<Plaintext> encoded = workers.map(jobs.size(), j -> encoder.encode(p.diagonal(jobs.get(j)[0], jobs.get(j)[1]),
                s.levelIn(), op.weightScale()));
        for (int j = 0; j < jobs.size(); j++) {
            pts[jobs.get(j)[0]][jobs.get(j)[1]] = encoded.get(j);
        }
        return pts;
    }

    private double[] slotVector(double[] values) {
        double[] v = new double[context.slots()];
        System.arraycopy(values, 0, v, 0, values.length);
        return v;
    }
}
