using System.Text;
using AgentIM.Auth;
using AgentIM.Auth.Argon2;

namespace AgentIM.Tests.Auth;

/// <summary>
/// Our Argon2id against known answers: the RFC's own vectors, and tags the reference implementation (Debian's
/// <c>argon2</c> command, version 0x13) printed for the inputs below. A wrong index, rotation or byte order changes
/// every one of them.
/// </summary>
public sealed class Argon2idTests
{
    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("saltsaltsalt16!");
    private static readonly byte[] Password = Encoding.UTF8.GetBytes("correct horse battery staple");

    [Theory]
    [InlineData("", "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
        + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce")]
    [InlineData("abc", "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
        + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")]
    public void Blake2b_matches_rfc_7693(string input, string expected)
    {
        var output = new byte[64];
        Blake2b.Hash(Encoding.ASCII.GetBytes(input), output);
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Theory]
    [InlineData('a', 200, 32, "6b6e59aaf00eb730cf93de53560846722184bbd92f8368c21ffa95380c2f9fe6")]
    [InlineData('x', 256, 64,
        "26066ae992ec734e85f05f962b49e72bcb2be54fcb53bce7e7b4d7f4dc88f56862235fd16b988877db71cc5e9bb50e489e884450fdb6f74968e6da7d1e493428")]
    [InlineData('q', 129, 5, "ae88580be0")]
    public void Blake2b_matches_python_hashlib_across_block_boundaries_and_lengths(char letter, int count, int length, string expected)
    {
        // Known answers from Python's hashlib.blake2b(digest_size=length): two or more blocks, a full last block, short tags.
        var output = new byte[length];
        Blake2b.Hash(Encoding.ASCII.GetBytes(new string(letter, count)), output);
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Argon2id_matches_the_rfc_9106_vector_with_secret_and_associated_data()
    {
        var tag = new byte[32];
        Argon2id.Hash(
            Enumerable.Repeat((byte)1, 32).ToArray(), Enumerable.Repeat((byte)2, 16).ToArray(),
            Enumerable.Repeat((byte)3, 8).ToArray(), Enumerable.Repeat((byte)4, 12).ToArray(),
            memoryKiB: 32, iterations: 3, lanes: 4, tag);
        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(tag));
    }

    [Theory]
    [InlineData(2, 19456, 1, 32, "94a3c6e1979d608f431da4a08ff891ecfbaaa8d55a9e989976b3c63a36b3216d")]
    [InlineData(3, 64, 4, 32, "8d6f34c9a3a545fa85980f9f8a2e8d1f205aebef749072c059e189a87c2c8e2a")]
    [InlineData(1, 8, 1, 16, "563b3522b00fb4ec3d118fc99ce11a71")]
    [InlineData(2, 256, 2, 100,
        "735bdfd79057f835b537bab9bd123df70af45ef8be5a451630cbcc50c6444c46"
        + "b3cc547c45994c40129b8cd0b1d02d38fef80d23453e7c52556415a5ea51dc64a78955"
        + "ef3ab22b87d99ff29f6b47812f20d452e674aa1450146e531d9e0be5d972debcf2")]
    public void Argon2id_matches_the_reference_implementation(int iterations, int memoryKiB, int lanes, int length, string expected)
    {
        var tag = new byte[length];
        Argon2id.Hash(Password, Salt, memoryKiB, iterations, lanes, tag);
        Assert.Equal(expected, Convert.ToHexStringLower(tag));
    }

    [Fact]
    public async Task A_phc_string_from_the_reference_implementation_verifies_and_a_wrong_password_does_not()
    {
        // `echo -n "pässwörd 🔑" | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e`: UTF-8 bytes, as we hash them.
        const string encoded = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$pfn4MpvyQ1bcHukAzUvXR016qobEPtUlN0fPeS4Bozs";
        var hasher = new PasswordHasher();
        Assert.True(await hasher.VerifyAsync("pässwörd 🔑", encoded, CancellationToken.None));
        Assert.False(await hasher.VerifyAsync("pässwörd 🔐", encoded, CancellationToken.None));
    }

    [Fact]
    public async Task A_new_hash_carries_the_decided_parameters_a_fresh_salt_and_verifies()
    {
        var hasher = new PasswordHasher();
        var first = await hasher.HashAsync("S3cret-enough!", CancellationToken.None);
        var second = await hasher.HashAsync("S3cret-enough!", CancellationToken.None);
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.True(await hasher.VerifyAsync("S3cret-enough!", first, CancellationToken.None));
        Assert.False(await hasher.VerifyAsync("S3cret-enough?", first, CancellationToken.None));
    }

    [Fact]
    public void Hashing_leaves_no_garbage_on_the_managed_heap()
    {
        // Konscious allocated the whole 19 MiB on the managed heap per hash; ours maps it outside and unmaps it after.
        var tag = new byte[32];
        Argon2id.Hash(Password, Salt, 19456, 2, 1, tag);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Argon2id.Hash(Password, Salt, 19456, 2, 1, tag);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"one hash allocated {allocated} managed bytes");
    }
}
