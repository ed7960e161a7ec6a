package dev.authoraization.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PackParser;

/**
 * An inserter that keeps what it is given in memory and reads through to the repository for
 * everything else, so a trial merge (is this pull request mergeable?) writes nothing to disk:
 * no ref, no index, no work tree, and not even an unreachable object.
 */
final class InMemoryInserter extends ObjectInserter.Filter {

  private final ObjectInserter hasher;
  private final Repository repo;
  private final Map<ObjectId, ObjectLoader> objects = new ConcurrentHashMap<>();

  InMemoryInserter(Repository repo) {
    this.repo = repo;
    // only used to compute object ids; never flushed, so it writes nothing
    this.hasher = repo.newObjectInserter();
  }

  @Override
  protected ObjectInserter delegate() {
    return hasher;
  }

  @Override
  public ObjectId insert(int type, byte[] data) {
    return insert(type, data, 0, data.length);
  }

  @Override
  public ObjectId insert(int type, byte[] data, int off, int len) {
    ObjectId id = idFor(type, data, off, len);
    objects.putIfAbsent(id.copy(), new ObjectLoader.SmallObject(type, Arrays.copyOfRange(data, off, off + len)));
    return id;
  }

  @Override
  public ObjectId insert(int type, long length, InputStream in) throws IOException {
    byte[] data = in.readNBytes(Math.toIntExact(length));
    return insert(type, data, 0, data.length);
  }

  @Override
  public PackParser newPackParser(InputStream in) {
    throw new UnsupportedOperationException("a trial merge receives no packs");
  }

  @Override
  public void flush() {
    // nothing to write, by design
  }

  @Override
  public ObjectReader newReader() {
    ObjectReader disk = repo.newObjectReader();
    return new ObjectReader.Filter() {
      @Override
      protected ObjectReader delegate() {
        return disk;
      }

      @Override
      public ObjectReader newReader() {
        return InMemoryInserter.this.newReader();
      }

      @Override
      public boolean has(AnyObjectId id) throws IOException {
        return objects.containsKey(id.copy()) || disk.has(id);
      }

      @Override
      public ObjectLoader open(AnyObjectId id, int typeHint) throws IOException {
        ObjectLoader mine = objects.get(id.copy());
        if (mine != null) {
          if (typeHint != OBJ_ANY && mine.getType() != typeHint) {
            throw new MissingObjectException(id.copy(), typeHint);
          }
          return mine;
        }
        return disk.open(id, typeHint);
      }

      @Override
      public long getObjectSize(AnyObjectId id, int typeHint) throws IOException {
        return open(id, typeHint).getSize();
      }

      @Override
      public ObjectInserter getCreatedFromInserter() {
        return InMemoryInserter.this;
      }
    };
  }

  @Override
  public void close() {
    hasher.close();
  }
}
