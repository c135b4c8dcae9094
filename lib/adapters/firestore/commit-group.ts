// The commits of one turn of the event loop, sent to Firestore as one: the files a group commit ends finish together.
import type { Firestore, WriteBatch, WriteResult } from '@google-cloud/firestore';

/** The most writes Firestore takes in one commit. */
const MAX_WRITES = 500;

interface Member {
  /** The document the member's first write is for: a group writes each document once. */
  path: string;
  writes: number;
  add: (batch: WriteBatch) => void;
  resolve: (first: WriteResult) => void;
  reject: (error: unknown) => void;
}

const pending = new WeakMap<Firestore, Member[]>();

/** Commits the member's writes on their own; resolves with the result of its first. */
function commitAlone(db: Firestore, member: Member): void {
  const batch = db.batch();
  member.add(batch);
  batch.commit().then(([first]) => member.resolve(first!), member.reject);
}

function commit(db: Firestore, members: Member[]): void {
  if (members.length === 1) return commitAlone(db, members[0]!);
  const batch = db.batch();
  const firsts: number[] = [];
  let written = 0;
  for (const member of members) {
    firsts.push(written);
    member.add(batch);
    written += member.writes;
  }
  batch.commit().then(
    (results) => members.forEach((member, i) => member.resolve(results[firsts[i]!]!)),
    // All or nothing: one member's refused condition (or any error) refuses every write. Each then commits alone and
    // gets its own answer, so a member whose version is current is not made to read again for another's.
    () => members.forEach((member) => commitAlone(db, member)),
  );
}

function flush(db: Firestore): void {
  const group = pending.get(db) ?? [];
  pending.delete(db);
  for (let i = 0; i < group.length; ) {
    const members: Member[] = [];
    for (let writes = 0; i < group.length && (members.length === 0 || writes + group[i]!.writes <= MAX_WRITES); i++) {
      members.push(group[i]!);
      writes += group[i]!.writes;
    }
    commit(db, members);
  }
}

/**
 * Commits what `add` puts in a batch (`writes` writes, the first of them to `path`) together with every other commit
 * asked for in this turn of the event loop: one request for the documents of files that finish together, not one
 * each. Resolves with the result of the first write, or rejects as the commit would have alone.
 */
export function commitTogether(db: Firestore, path: string, writes: number, add: (batch: WriteBatch) => void): Promise<WriteResult> {
  return new Promise((resolve, reject) => {
    const member = { path, writes, add, resolve, reject };
    let group = pending.get(db);
    if (group === undefined) {
      pending.set(db, (group = []));
      setImmediate(() => flush(db));
    }
    // A second change of one document in one turn goes on its own: a group writes each document once.
    if (group.some((m) => m.path === path)) commitAlone(db, member);
    else group.push(member);
  });
}
