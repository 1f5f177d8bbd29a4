using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace AgentIM.Auth.Argon2;

/// <summary>
/// Argon2id, version 0x13, as RFC 9106 defines it, with no secret and no associated data (what password storage
/// uses). Lanes are filled one after another on the calling thread: the hub runs one hash per core at a time and
/// gains nothing from threads inside a hash. Tags match every other conforming implementation, so stored hashes
/// verify whichever library wrote them.
/// </summary>
internal static class Argon2id
{
    private const int Version = 0x13;
    private const int TypeId = 2;
    private const int SyncPoints = 4;
    private const int BlockWords = 128;
    private const int BlockBytes = BlockWords * sizeof(ulong);
    private const int AddressesPerBlock = BlockWords;

    /// <summary>
    /// Computes the tag of <paramref name="password"/> into all of <paramref name="tag"/>, with m =
    /// <paramref name="memoryKiB"/> KiB of memory (one block per KiB, at least 8 per lane), t = <paramref name="iterations"/>
    /// passes and p = <paramref name="lanes"/>, the parallelism the tag is defined for.
    /// </summary>
    public static void Hash(
        ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int memoryKiB, int iterations, int lanes, Span<byte> tag) =>
        Hash(password, salt, [], [], memoryKiB, iterations, lanes, tag);

    /// <summary>The general form with a secret key K and associated data X (RFC 9106 §3.2), for the RFC's test vector.</summary>
    public static void Hash(
        ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> associatedData,
        int memoryKiB, int iterations, int lanes, Span<byte> tag)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryKiB, 8 * lanes);
        ArgumentOutOfRangeException.ThrowIfLessThan(tag.Length, 4);

        // m' rounds m down to a multiple of 4p; each lane has q = m' / p blocks in four segments.
        var blocks = memoryKiB / (SyncPoints * lanes) * (SyncPoints * lanes);
        var laneLength = blocks / lanes;
        var segmentLength = laneLength / SyncPoints;

        Span<byte> h0 = stackalloc byte[Blake2b.MaxOutputBytes + 8];
        InitialHash(password, salt, secret, associatedData, memoryKiB, iterations, lanes, tag.Length, h0[..Blake2b.MaxOutputBytes]);

        using var memory = new BlockMemory(blocks * BlockWords);
        var b = memory.Span;
        Span<byte> blockBytes = stackalloc byte[BlockBytes];
        for (var lane = 0; lane < lanes; lane++)
        {
            for (var column = 0; column < 2; column++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(h0[64..], (uint)column);
                BinaryPrimitives.WriteUInt32LittleEndian(h0[68..], (uint)lane);
                VariableHash(h0, blockBytes);
                ReadBlock(blockBytes, b.Slice((lane * laneLength + column) * BlockWords, BlockWords));
            }
        }

        var segment = new Segment(b, blocks, laneLength, segmentLength, iterations);
        for (var pass = 0; pass < iterations; pass++)
        {
            for (var slice = 0; slice < SyncPoints; slice++)
            {
                for (var lane = 0; lane < lanes; lane++)
                {
                    segment.Fill(pass, slice, lane, lanes);
                }
            }
        }

        // The tag comes from the XOR of every lane's last block.
        Span<ulong> final = stackalloc ulong[BlockWords];
        b.Slice((laneLength - 1) * BlockWords, BlockWords).CopyTo(final);
        for (var lane = 1; lane < lanes; lane++)
        {
            Xor(final, b.Slice(((lane * laneLength) + laneLength - 1) * BlockWords, BlockWords));
        }

        for (var i = 0; i < BlockWords; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(blockBytes[(i * 8)..], final[i]);
        }

        VariableHash(blockBytes, tag);
        CryptographicOperations.ZeroMemory(blockBytes);
        CryptographicOperations.ZeroMemory(h0);
        final.Clear();
    }

    /// <summary>H0 = H^64(p, T, m, t, v, y, len P, P, len S, S, len K, K, len X, X).</summary>
    private static void InitialHash(
        ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> associatedData,
        int memoryKiB, int iterations, int lanes, int tagLength, Span<byte> h0)
    {
        var input = new byte[(10 * 4) + password.Length + salt.Length + secret.Length + associatedData.Length];
        var at = 0;
        void Put(int value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(at), (uint)value);
            at += 4;
        }

        Put(lanes);
        Put(tagLength);
        Put(memoryKiB);
        Put(iterations);
        Put(Version);
        Put(TypeId);
        Put(password.Length);
        password.CopyTo(input.AsSpan(at));
        at += password.Length;
        Put(salt.Length);
        salt.CopyTo(input.AsSpan(at));
        at += salt.Length;
        Put(secret.Length);
        secret.CopyTo(input.AsSpan(at));
        at += secret.Length;
        Put(associatedData.Length);
        associatedData.CopyTo(input.AsSpan(at));
        Blake2b.Hash(input, h0);
        CryptographicOperations.ZeroMemory(input);
    }

    /// <summary>H', the variable-length hash: BLAKE2b chained in 32-byte steps for outputs longer than 64 bytes.</summary>
    private static void VariableHash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var prefixed = new byte[4 + input.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(prefixed, (uint)output.Length);
        input.CopyTo(prefixed.AsSpan(4));
        if (output.Length <= Blake2b.MaxOutputBytes)
        {
            Blake2b.Hash(prefixed, output);
            CryptographicOperations.ZeroMemory(prefixed);
            return;
        }

        // V1 = H^64(T || A); the output is the first halves of V1..Vr, then all of V(r+1), the last step as long as needed.
        Span<byte> v = stackalloc byte[Blake2b.MaxOutputBytes];
        Blake2b.Hash(prefixed, v);
        CryptographicOperations.ZeroMemory(prefixed);
        v[..32].CopyTo(output);
        var written = 32;
        while (output.Length - written > Blake2b.MaxOutputBytes)
        {
            Blake2b.Hash(v, v);
            v[..32].CopyTo(output[written..]);
            written += 32;
        }

        Blake2b.Hash(v, output[written..]);
        CryptographicOperations.ZeroMemory(v);
    }

    private static void ReadBlock(ReadOnlySpan<byte> bytes, Span<ulong> block)
    {
        for (var i = 0; i < BlockWords; i++)
        {
            block[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 8)..]);
        }
    }

    private static void Xor(Span<ulong> target, ReadOnlySpan<ulong> other)
    {
        for (var i = 0; i < BlockWords; i++)
        {
            target[i] ^= other[i];
        }
    }

    /// <summary>Fills segments of the memory: block indexing and the compression function G of RFC 9106 §3.2–3.6.</summary>
    private readonly ref struct Segment(Span<ulong> memory, int blocks, int laneLength, int segmentLength, int passes)
    {
        private readonly Span<ulong> _memory = memory;

        public void Fill(int pass, int slice, int lane, int lanes)
        {
            // Argon2id: data-independent addresses in the first half of the first pass, data-dependent afterwards.
            var independent = pass == 0 && slice < SyncPoints / 2;
            Span<ulong> addresses = stackalloc ulong[BlockWords];
            Span<ulong> input = stackalloc ulong[BlockWords];
            Span<ulong> zero = stackalloc ulong[BlockWords];
            if (independent)
            {
                input.Clear();
                zero.Clear();
                input[0] = (ulong)pass;
                input[1] = (ulong)lane;
                input[2] = (ulong)slice;
                input[3] = (ulong)blocks;
                input[4] = (ulong)passes;
                input[5] = TypeId;
            }

            var start = 0;
            if (pass == 0 && slice == 0)
            {
                start = 2;
                if (independent)
                {
                    NextAddresses(addresses, input, zero);
                }
            }

            var current = (lane * laneLength) + (slice * segmentLength) + start;
            var previous = current % laneLength == 0 ? current + laneLength - 1 : current - 1;
            for (var index = start; index < segmentLength; index++, current++, previous++)
            {
                if (current % laneLength == 1)
                {
                    previous = current - 1;
                }

                ulong random;
                if (independent)
                {
                    if (index % AddressesPerBlock == 0)
                    {
                        NextAddresses(addresses, input, zero);
                    }

                    random = addresses[index % AddressesPerBlock];
                }
                else
                {
                    random = _memory[previous * BlockWords];
                }

                var referenceLane = pass == 0 && slice == 0 ? lane : (int)((random >> 32) % (ulong)lanes);
                var referenceIndex = ReferenceIndex(pass, slice, index, (uint)random, referenceLane == lane);
                FillBlock(
                    _memory.Slice(previous * BlockWords, BlockWords),
                    _memory.Slice(((referenceLane * laneLength) + referenceIndex) * BlockWords, BlockWords),
                    _memory.Slice(current * BlockWords, BlockWords),
                    withXor: pass != 0);
            }
        }

        /// <summary>Maps a 32-bit pseudo-random value onto the blocks this one may reference (RFC 9106 §3.4.2).</summary>
        private int ReferenceIndex(int pass, int slice, int index, uint random, bool sameLane)
        {
            long area;
            if (pass == 0)
            {
                area = slice == 0
                    ? index - 1
                    : sameLane
                        ? (slice * segmentLength) + index - 1
                        : (slice * segmentLength) + (index == 0 ? -1 : 0);
            }
            else
            {
                area = sameLane
                    ? laneLength - segmentLength + index - 1
                    : laneLength - segmentLength + (index == 0 ? -1 : 0);
            }

            ulong relative = random;
            relative = (relative * relative) >> 32;
            relative = (ulong)area - 1 - (((ulong)area * relative) >> 32);
            var first = pass == 0 || slice == SyncPoints - 1 ? 0 : (slice + 1) * segmentLength;
            return (int)(((ulong)first + relative) % (ulong)laneLength);
        }

        private static void NextAddresses(Span<ulong> addresses, Span<ulong> input, ReadOnlySpan<ulong> zero)
        {
            input[6]++;
            FillBlock(zero, input, addresses, withXor: false);
            FillBlock(zero, addresses, addresses, withXor: false);
        }
    }

    /// <summary>
    /// G: next = P(prev ⊕ ref) ⊕ prev ⊕ ref, and from the second pass on also ⊕ the old next. P applies the BLAKE2b
    /// round with the BlaMka multiplication first to each row of eight 16-byte registers, then to each column.
    /// </summary>
    private static void FillBlock(ReadOnlySpan<ulong> previous, ReadOnlySpan<ulong> reference, Span<ulong> next, bool withXor)
    {
        Span<ulong> r = stackalloc ulong[BlockWords];
        Span<ulong> keep = stackalloc ulong[BlockWords];
        for (var i = 0; i < BlockWords; i++)
        {
            r[i] = previous[i] ^ reference[i];
            keep[i] = withXor ? r[i] ^ next[i] : r[i];
        }

        for (var i = 0; i < 8; i++)
        {
            var o = 16 * i;
            Round(r, o, o + 1, o + 2, o + 3, o + 4, o + 5, o + 6, o + 7, o + 8, o + 9, o + 10, o + 11, o + 12, o + 13, o + 14, o + 15);
        }

        for (var i = 0; i < 8; i++)
        {
            var o = 2 * i;
            Round(
                r, o, o + 1, o + 16, o + 17, o + 32, o + 33, o + 48, o + 49,
                o + 64, o + 65, o + 80, o + 81, o + 96, o + 97, o + 112, o + 113);
        }

        for (var i = 0; i < BlockWords; i++)
        {
            next[i] = keep[i] ^ r[i];
        }
    }

    private static void Round(
        Span<ulong> r, int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7,
        int i8, int i9, int i10, int i11, int i12, int i13, int i14, int i15)
    {
        ulong v0 = r[i0], v1 = r[i1], v2 = r[i2], v3 = r[i3], v4 = r[i4], v5 = r[i5], v6 = r[i6], v7 = r[i7];
        ulong v8 = r[i8], v9 = r[i9], v10 = r[i10], v11 = r[i11], v12 = r[i12], v13 = r[i13], v14 = r[i14], v15 = r[i15];
        Mix(ref v0, ref v4, ref v8, ref v12);
        Mix(ref v1, ref v5, ref v9, ref v13);
        Mix(ref v2, ref v6, ref v10, ref v14);
        Mix(ref v3, ref v7, ref v11, ref v15);
        Mix(ref v0, ref v5, ref v10, ref v15);
        Mix(ref v1, ref v6, ref v11, ref v12);
        Mix(ref v2, ref v7, ref v8, ref v13);
        Mix(ref v3, ref v4, ref v9, ref v14);
        r[i0] = v0; r[i1] = v1; r[i2] = v2; r[i3] = v3; r[i4] = v4; r[i5] = v5; r[i6] = v6; r[i7] = v7;
        r[i8] = v8; r[i9] = v9; r[i10] = v10; r[i11] = v11; r[i12] = v12; r[i13] = v13; r[i14] = v14; r[i15] = v15;
    }

    private static void Mix(ref ulong a, ref ulong b, ref ulong c, ref ulong d)
    {
        a = BlaMka(a, b);
        d = BitOperations.RotateRight(d ^ a, 32);
        c = BlaMka(c, d);
        b = BitOperations.RotateRight(b ^ c, 24);
        a = BlaMka(a, b);
        d = BitOperations.RotateRight(d ^ a, 16);
        c = BlaMka(c, d);
        b = BitOperations.RotateRight(b ^ c, 63);
    }

    /// <summary>x + y + 2 · lo32(x) · lo32(y), all modulo 2^64.</summary>
    private static ulong BlaMka(ulong x, ulong y) => x + y + (2 * (ulong)(uint)x * (uint)y);
}
