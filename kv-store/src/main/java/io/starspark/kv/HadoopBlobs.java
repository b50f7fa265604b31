package io.starspark.kv;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Blobs on any Hadoop {@link FileSystem} (file://, hdfs://, s3a://); owns its own FileSystem instance. */
final class HadoopBlobs implements Blobs {
    private final FileSystem fs;
    private final Path root;

    HadoopBlobs(URI root, Configuration conf) {
        this.root = new Path(root);
        try {
            this.fs = FileSystem.newInstance(root, conf);
        } catch (IOException e) {
            throw new KvStoreException("cannot open file system for " + root + ": " + e.getMessage(), e);
        }
    }

    private Path path(String name) {
        return new Path(root, name);
    }

    @Override
    public String where(String name) {
        return fs.makeQualified(path(name)).toString();
    }

    private KvStoreException failure(String what, String name, IOException e) {
        return new KvStoreException("cannot " + what + " " + where(name) + ": " + e, e);
    }

    @Override
    public boolean exists(String name) {
        try {
            return fs.exists(path(name));
        } catch (IOException e) {
            throw failure("check", name, e);
        }
    }

    @Override
    public long length(String name) {
        try {
            return fs.getFileStatus(path(name)).getLen();
        } catch (IOException e) {
            throw failure("stat", name, e);
        }
    }

    @Override
    public byte[] read(String name, long offset, int length) {
        byte[] bytes = new byte[length];
        try (FSDataInputStream in = fs.open(path(name))) {
            in.readFully(offset, bytes);
            return bytes;
        } catch (IOException e) {
            throw failure("read " + length + " bytes at " + offset + " of", name, e);
        }
    }

    @Override
    public void write(String name, byte[] bytes) {
        try (FSDataOutputStream out = fs.create(path(name), true)) {
            out.write(bytes);
        } catch (IOException e) {
            throw failure("write", name, e);
        }
    }

    @Override
    public boolean rename(String from, String to) {
        try {
            if (fs.exists(path(to))) {
                return false; // local file systems would silently replace it
            }
            if (!fs.exists(path(from))) {
                return false; // Hadoop's local file system throws here, HDFS returns false
            }
            fs.mkdirs(path(to).getParent());
            return fs.rename(path(from), path(to));
        } catch (FileNotFoundException e) {
            return false; // from was deleted after the check (a concurrent attempt cleaned up its temporaries)
        } catch (IOException e) {
            throw failure("rename " + where(from) + " to", to, e);
        }
    }

    @Override
    public List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(path(dir))) {
                if (s.isFile()) {
                    names.add(s.getPath().getName());
                }
            }
        } catch (FileNotFoundException e) {
            return names; // no such directory yet: nothing written
        } catch (IOException e) {
            throw failure("list", dir, e);
        }
        return names;
    }

    @Override
    public void delete(String name) {
        try {
            fs.delete(path(name), false);
        } catch (IOException e) {
            throw failure("delete", name, e);
        }
    }

    @Override
    public void deleteAll() {
        try {
            if (!fs.delete(root, true) && fs.exists(root)) {
                throw new KvStoreException("cannot delete " + fs.makeQualified(root) + " (or part of it): check that it and"
                        + " everything under it may be deleted, or point --kv-dir elsewhere");
            }
        } catch (IOException e) {
            throw new KvStoreException("cannot delete " + fs.makeQualified(root) + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            fs.close();
        } catch (IOException e) {
            throw new KvStoreException("cannot close file system of " + root + ": " + e, e);
        }
    }
}
