// The one call landfall makes of seek-bzip (a pure-JS bzip2 decoder that ships no types of its own).
declare module 'seek-bzip' {
  const Bunzip: {
    /** The whole decompressed content of a bzip2 stream, written byte by byte into `output`; throws on a bad block or checksum. */
    decode(input: Buffer, output: { writeByte(byte: number): void; getBuffer(): Buffer }): Buffer;
  };
  export default Bunzip;
}
