package io.starspark.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Blobs in a map, for tests; behaves like a file system with atomic rename. */
final class MemoryBlobs implements Blobs {
    private final String root;
    private final Map<String, byte[]> files = new TreeMap<>();

    MemoryBlobs(String root) {
        this.root = root;
    }

    @Override
    public String where(String name) {
        return root + "/" + name;
    }

    @Override
    public synchronized boolean exists(String name) {
        return files.containsKey(name);
    }

    @Override
    public synchronized long length(String name) {
        return get(name).length;
    }

    @Override
    public synchronized byte[] read(String name, long offset, int length) {
        byte[] bytes = get(name);
        if (offset < 0 || offset + length > bytes.length) {
            throw new KvStoreException("cannot read " + length + " bytes at " + offset + " of " + where(name)
                    + ": file has " + bytes.length + " bytes");
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
    }

    private byte[] get(String name) {
        byte[] bytes = files.get(name);
        if (bytes == null) {
            throw new KvStoreException(where(name) + " does not exist");
        }
        return bytes;
    }

    @Override
    public synchronized void write(String name, byte[] bytes) {
        files.put(name, bytes.clone());
    }

    @Override
    public synchronized boolean rename(String from, String to) {
        if (!files.containsKey(from) || files.containsKey(to)) {
            return false;
        }
        files.put(to, files.remove(from));
        return true;
    }

    @Override
    public synchronized List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        for (String name : files.keySet()) {
            if (name.startsWith(dir + "/") && name.indexOf('/', dir.length() + 1) < 0) {
                names.add(name.substring(dir.length() + 1));
            }
        }
        return names;
    }

    @Override
    public synchronized void delete(String name) {
        files.remove(name);
    }

    @Override
    public synchronized void deleteAll() {
        files.clear();
    }

    @Override
    public void close() {
    }
}
