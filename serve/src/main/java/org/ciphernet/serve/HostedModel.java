package org.ciphernet.serve;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.PlanReport;

/**
 * A plan the service hosts under a name, with the body limits derived from it: a query can be no
 * larger than its input ciphertexts at the input level (8 bytes per coefficient, an upper bound of
 * the wire format) plus headers, and evaluation keys no larger than the plan's key memory plus a
 * public key and a margin.
 *
 * @param name the name clients use
 * @param plan the compiled plan
 * @param planBytes the plan file's bytes (what {@code GET /v1/models/{name}/plan} sends)
 * @param maxQueryBytes the largest query body accepted
 * @param maxKeyBytes the largest evaluation-keys body accepted
 */
record HostedModel(String name, HePlan plan, byte[] planBytes, long maxQueryBytes, long maxKeyBytes) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    /** A model, its limits computed from the plan. */
    static HostedModel of(String name, HePlan plan) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        int n = 1 << plan.parameters().logN();
        long ciphertext = 2L * (plan.clientSpec().inputLevel() + 1) * n * 8 + 256;
        int count = plan.mode() == Mode.BATCHED ? plan.clientSpec().inputSize()
                : Math.max(1, (plan.clientSpec().inputSize() + plan.context().slots() - 1) / plan.context().slots());
        long maxQuery = count * ciphertext + 4096;
        PlanReport r = plan.report();
        long publicKey = 2L * plan.parameters().qBits().size() * n * 8;
        long keys = r.galoisKeyBytes() + r.relinearizationKeyBytes() + publicKey;
        long maxKeys = keys + keys / 20 + (1 << 20);
        // both wire formats are written as one byte array, so neither body can exceed one
        return new HostedModel(name, plan, plan.toBytes(), Math.min(maxQuery, Integer.MAX_VALUE - 8),
                Math.min(maxKeys, Integer.MAX_VALUE - 8));
    }

    /** What {@code GET /v1/models} says of the model. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("planFingerprint", plan.fingerprintHex());
        m.put("network", plan.name());
        m.put("mode", plan.mode().name());
        m.put("imagesPerQuery", plan.mode() == Mode.BATCHED ? plan.context().slots() : plan.imagesPerCiphertext());
        if (!plan.report().inputShape().isEmpty()) { // plan files before version 4 did not record it
            m.put("inputShape", plan.report().inputShape());
        }
        m.put("inputSize", plan.clientSpec().inputSize());
        m.put("outputSize", plan.clientSpec().outputSize());
        m.put("parameters", plan.parameters().toString());
        m.put("depth", plan.depth());
        m.put("keyBytes", plan.report().galoisKeyBytes() + plan.report().relinearizationKeyBytes());
        m.put("maxQueryBytes", maxQueryBytes);
        m.put("maxKeyBytes", maxKeyBytes);
        return m;
    }
}
