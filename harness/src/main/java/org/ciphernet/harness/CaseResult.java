package org.ciphernet.harness;

import java.util.List;
import java.util.Optional;

/**
 * What the harness measured for one model.
 *
 * @param plaintextAccuracy our plaintext (double) evaluation of the imported model on {@code plaintextImages}
 * @param encryptedAccuracy accuracy of the decrypted predictions on the first {@code encryptedImages}
 * @param agreement share of those whose encrypted prediction equals the plaintext one
 * @param maxLogitError largest |decrypted − plaintext| logit over those images
 * @param millisPerImage mean server time per encrypted image
 * @param keyBytes Galois plus relinearization key memory
 * @param layers per-step time and precision of the first encrypted image
 * @param unsupported why the model cannot run encrypted (for example a ReLU teacher); then only
 *     the recorded PyTorch accuracy is reported
 * @param certificate which images of the plaintext pass provably keep their class under
 *     encryption (empty for an unsupported model)
 * @param ensemble for an ensemble, its members alone (empty otherwise)
 * @param ranges the largest magnitudes of the model's values on the first test images (empty for
 *     an unsupported model)
 * @param weights the plan's encoded weights and the server's start-up (empty for an unsupported model)
 * @param tower the plan's chain with tower reuse (empty for an unsupported model)
 */
public record CaseResult(Manifest.Model model, double plaintextAccuracy, int plaintextImages, double encryptedAccuracy,
        int encryptedImages, double agreement, double maxLogitError, double millisPerImage, int levels, int rotations,
        int keySwitches, long keyBytes, String parameters, List<Layer> layers, List<Prediction> predictions,
        Optional<String> unsupported, Optional<MarginCertificate> certificate, Optional<Members> ensemble,
        Optional<ValueRanges> ranges, Optional<Weights> weights, Optional<TowerReuse> tower) {

    /** A result that is not an ensemble's. */
    public CaseResult(Manifest.Model model, double plaintextAccuracy, int plaintextImages, double encryptedAccuracy,
            int encryptedImages, double agreement, double maxLogitError, double millisPerImage, int levels, int rotations,
            int keySwitches, long keyBytes, String parameters, List<Layer> layers, List<Prediction> predictions,
            Optional<String> unsupported, Optional<MarginCertificate> certificate) {
        this(model, plaintextAccuracy, plaintextImages, encryptedAccuracy, encryptedImages, agreement, maxLogitError, millisPerImage,
                levels, rotations, keySwitches, keyBytes, parameters, layers, predictions, unsupported, certificate, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A result without a margin certificate. */
    public CaseResult(Manifest.Model model, double plaintextAccuracy, int plaintextImages, double encryptedAccuracy,
            int encryptedImages, double agreement, double maxLogitError, double millisPerImage, int levels, int rotations,
            int keySwitches, long keyBytes, String parameters, List<Layer> layers, List<Prediction> predictions,
            Optional<String> unsupported) {
        this(model, plaintextAccuracy, plaintextImages, encryptedAccuracy, encryptedImages, agreement, maxLogitError, millisPerImage,
                levels, rotations, keySwitches, keyBytes, parameters, layers, predictions, unsupported, Optional.empty());
    }

    /** This result with a margin certificate. */
    public CaseResult withCertificate(MarginCertificate c) {
        return new CaseResult(model, plaintextAccuracy, plaintextImages, encryptedAccuracy, encryptedImages, agreement, maxLogitError,
                millisPerImage, levels, rotations, keySwitches, keyBytes, parameters, layers, predictions, unsupported, Optional.of(c),
                ensemble, ranges, weights, tower);
    }

    /** This result with its ensemble's members alone. */
    public CaseResult withMembers(Members m) {
        return new CaseResult(model, plaintextAccuracy, plaintextImages, encryptedAccuracy, encryptedImages, agreement, maxLogitError,
                millisPerImage, levels, rotations, keySwitches, keyBytes, parameters, layers, predictions, unsupported, certificate,
                Optional.of(m), ranges, weights, tower);
    }

    /** This result with the model's value ranges. */
    public CaseResult withRanges(ValueRanges r) {
        return new CaseResult(model, plaintextAccuracy, plaintextImages, encryptedAccuracy, encryptedImages, agreement, maxLogitError,
                millisPerImage, levels, rotations, keySwitches, keyBytes, parameters, layers, predictions, unsupported, certificate,
                ensemble, Optional.of(r), weights, tower);
    }

    /** This result with its plan's weights. */
    public CaseResult withWeights(Weights w) {
        return new CaseResult(model, plaintextAccuracy, plaintextImages, encryptedAccuracy, encryptedImages, agreement, maxLogitError,
                millisPerImage, levels, rotations, keySwitches, keyBytes, parameters, layers, predictions, unsupported, certificate,
                ensemble, ranges, Optional.of(w), tower);
    }

    /** This result with its plan's chain under tower reuse. */
    public CaseResult withTower(TowerReuse t) {
        return new CaseResult(model, plaintextAccuracy, plaintextImages, encryptedAccuracy, encryptedImages, agreement, maxLogitError,
                millisPerImage, levels, rotations, keySwitches, keyBytes, parameters, layers, predictions, unsupported, certificate,
                ensemble, ranges, weights, Optional.of(t));
    }

    /**
     * A plan's weights as the server holds them (parameter clustering, Chielle et al. 2025): its
     * plaintext operands, how many are distinct, and the server's start-up, which encodes each
     * distinct single-image diagonal once.
     *
     * @param operands single-image: the diagonals of every product; batched: the weighted-sum terms
     * @param distinct single-image: the distinct diagonals (what the server encodes); batched: the
     *     distinct weights of each row, summed over rows (the products by constants a grouped sum makes)
     * @param setupMillis the server's start-up: taking the keys and encoding the weights
     */
    public record Weights(long operands, long distinct, double setupMillis) {
    }

    /**
     * An ensemble's members alone: each one's plaintext accuracy on the ensemble's plaintext images,
     * and the first one encrypted alone in single-image mode on the ensemble's encrypted images.
     */
    public record Members(List<String> names, List<Double> plaintextAccuracies, double firstMillisPerImage, int firstRotations,
            int firstKeySwitches, String firstParameters) {
        /** Copies the lists. */
        public Members {
            names = List.copyOf(names);
            plaintextAccuracies = List.copyOf(plaintextAccuracies);
        }
    }

    /** One encrypted image: its label, the plaintext and the decrypted prediction, and the server time. */
    public record Prediction(int label, int plaintext, int encrypted, double millis) {
    }

    /** One step of the plan: its layers, time and error against the plaintext reference (bits, −log2). */
    public record Layer(String layers, String kind, double millis, double errorBits) {
    }

    /** A model the engine rejects. */
    static CaseResult unsupported(Manifest.Model model, String why) {
        return new CaseResult(model, Double.NaN, 0, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, 0, "",
                List.of(), List.of(), Optional.of(why));
    }

    /** Whether the encrypted predictions agree with the plaintext ones on at least 99.5 % of the images. */
    public boolean agrees() {
        return unsupported.isPresent() || agreement >= 0.995;
    }
}
