package org.ciphernet.serve;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.ciphernet.nn.HeServer;

/**
 * Servers (a plan with a tenant's evaluation keys, weights encoded) kept in memory within a budget:
 * the least recently used one that no evaluation holds is closed when a new one would exceed it,
 * and loaded again from disk when next needed. While every loaded server is in use the budget may
 * be exceeded for the moment (an evaluation is never interrupted); the gauge shows it.
 */
final class LoadedServers {
    /** A server lent out to one evaluation; closing it gives it back. */
    interface Lease extends AutoCloseable {
        HeServer server();

        @Override
        void close();
    }

    private static final class Slot {
        final HeServer server;
        final long bytes;
        int users;

        Slot(HeServer server, long bytes) {
            this.server = server;
            this.bytes = bytes;
        }
    }

    /** A loaded server and its memory. */
    record Loaded(HeServer server, long bytes) {
    }

    private final long budget;
    private final Map<String, Slot> slots = new LinkedHashMap<>(16, 0.75f, true); // access order: eldest = least recent
    private final Map<String, Object> loading = new java.util.HashMap<>();
    private long bytes;

    LoadedServers(long budgetBytes) {
        this.budget = budgetBytes;
    }

    /**
     * Lends the server of {@code key}, loading it with {@code load} if it is not in memory (one
     * load per key at a time: concurrent requests for it wait for that load).
     */
    Lease lease(String key, Supplier<Loaded> load) {
        Object lock;
        synchronized (this) {
            Slot s = slots.get(key);
            if (s != null) {
                s.users++;
                return lease(key, s);
            }
            lock = loading.computeIfAbsent(key, k -> new Object());
        }
        synchronized (lock) {
            synchronized (this) {
                Slot s = slots.get(key);
                if (s != null) {
                    s.users++;
                    return lease(key, s);
                }
            }
            Loaded l;
            try {
                l = load.get();
            } finally {
                synchronized (this) {
                    loading.remove(key);
                }
            }
            synchronized (this) {
                Slot s = new Slot(l.server(), l.bytes());
                s.users = 1;
                slots.put(key, s);
                bytes += s.bytes;
                evict();
                return lease(key, s);
            }
        }
    }

    private Lease lease(String key, Slot s) {
        return new Lease() {
            private boolean closed;

            @Override
            public HeServer server() {
                return s.server;
            }

            @Override
            public void close() {
                synchronized (LoadedServers.this) {
                    if (!closed) {
                        closed = true;
                        s.users--;
                        evict();
                    }
                }
            }
        };
    }

    /** Closes least recently used idle servers while over the budget. */
    private void evict() {
        Iterator<Map.Entry<String, Slot>> it = slots.entrySet().iterator();
        while (bytes > budget && it.hasNext()) {
            Slot s = it.next().getValue();
            if (s.users == 0) {
                it.remove();
                bytes -= s.bytes;
                s.server.close();
            }
        }
    }

    /** Forgets a key's server (its keys were deleted); it is closed once no evaluation holds it. */
    synchronized void remove(String key) {
        Slot s = slots.remove(key);
        if (s != null) {
            bytes -= s.bytes;
            if (s.users == 0) {
                s.server.close();
            }
        }
    }

    /** Memory of the loaded servers. */
    synchronized long bytes() {
        return bytes;
    }

    /** Loaded servers. */
    synchronized int size() {
        return slots.size();
    }

    /** Closes every server (at shutdown, after the evaluations ended). */
    synchronized void closeAll() {
        for (Slot s : slots.values()) {
            s.server.close();
        }
        slots.clear();
        bytes = 0;
    }
}
