package io.starspark.model.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/** Buffered little-endian writer over a file channel; counts bytes written. */
final class LeOutput implements AutoCloseable {
    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private long written;

    LeOutput(FileChannel channel) {
        this.channel = channel;
    }

    long position() {
        return written + buf.position();
    }

    private void room(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
    }

    void u8(int v) throws IOException {
        room(1);
        buf.put((byte) v);
    }

    void u16(int v) throws IOException {
        room(2);
        buf.putShort((short) v);
    }

    void u32(int v) throws IOException {
        room(4);
        buf.putInt(v);
    }

    void u64(long v) throws IOException {
        room(8);
        buf.putLong(v);
    }

    void f32(float v) throws IOException {
        room(4);
        buf.putFloat(v);
    }

    void f64(double v) throws IOException {
        room(8);
        buf.putDouble(v);
    }

    void bytes(byte[] b) throws IOException {
        for (int off = 0; off < b.length; ) {
            room(1);
            int n = Math.min(buf.remaining(), b.length - off);
            buf.put(b, off, n);
            off += n;
        }
    }

    void string(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        bytes(b);
    }

    void padTo(int alignment) throws IOException {
        while (position() % alignment != 0) {
            u8(0);
        }
    }

    void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            written += channel.write(buf);
        }
        buf.clear();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
