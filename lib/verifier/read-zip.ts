import yauzl from "yauzl";

export interface ZipContents {
  files: Map<string, Buffer>;
  /** Entries that could not be read (a changed byte in compressed data, a bad size): name → reason. */
  unreadable: Map<string, string>;
}

/** The "PK\x03\x04" local file header signature that starts a ZIP. */
export const isZip = (bytes: Uint8Array): boolean => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/**
 * Reads every file of a ZIP held in memory. A damaged entry does not stop the others: it is
 * reported in `unreadable` so the verifier can name it. Throws only when the ZIP's directory
 * itself cannot be read.
 */
export function readZip(bytes: Buffer): Promise<ZipContents> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error("not a ZIP file"));
      const files = new Map<string, Buffer>();
      const unreadable = new Map<string, string>();
      zip.on("entry", (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(entry, (e, s) => {
          if (e || !s) {
            unreadable.set(entry.fileName, e?.message ?? "cannot be opened");
            return zip.readEntry();
          }
          const parts: Buffer[] = [];
          let settled = false;
          const next = () => {
            if (settled) return;
            settled = true;
            zip.readEntry();
          };
          s.on("data", (d: Buffer) => parts.push(d));
          s.on("error", (se: Error) => {
            unreadable.set(entry.fileName, se.message);
            next();
          });
          s.on("end", () => {
            if (!settled) files.set(entry.fileName, Buffer.concat(parts));
            next();
          });
        });
      });
      zip.on("end", () => resolve({ files, unreadable }));
      zip.on("error", (e: Error) => reject(e));
      zip.readEntry();
    });
  });
}
