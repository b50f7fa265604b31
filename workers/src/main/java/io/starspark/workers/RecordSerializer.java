package io.starspark.workers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;

/**
 * Kryo 4 serializer for a Java record: writes each component (class + value) in declaration order
 * and rebuilds the record through its canonical constructor, so validation runs on read too.
 * Component types must themselves be registered.
 *
 * @param <T> the record type
 */
final class RecordSerializer<T> extends Serializer<T> {

    private final RecordComponent[] components;
    private final Constructor<T> constructor;

    RecordSerializer(Class<T> type) {
        this.components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
        }
        try {
            this.constructor = type.getDeclaredConstructor(types);
            this.constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
        }
        setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        for (RecordComponent component : components) {
            try {
                kryo.writeClassAndObject(output, component.getAccessor().invoke(record));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new KryoException("cannot read component " + component.getName() + " of " + record.getClass(), e);
            }
        }
    }

    @Override
    public T read(Kryo kryo, Input input, Class<T> type) {
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            values[i] = kryo.readClassAndObject(input);
        }
        try {
            return constructor.newInstance(values);
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new KryoException("cannot rebuild record " + type.getName(), e);
        }
    }
}
