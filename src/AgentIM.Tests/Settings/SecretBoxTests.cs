using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AgentIM.Infrastructure.Crypto;

namespace AgentIM.Tests.Settings;

public sealed class SecretBoxTests
{
    private const string Key = "a-long-encryption-key-for-the-secret-box-tests";

    [Fact]
    public void Encrypt_ThenDecrypt_ReturnsThePlaintextInTheContractFormat()
    {
        var box = new SecretBox(Key);

        var stored = box.Encrypt("sk-live-ünïcødé-123");

        Assert.Matches(new Regex("^enc:[0-9a-f]{24}:[0-9a-f]+:[0-9a-f]{32}$"), stored);
        Assert.True(box.TryDecrypt(stored, out var plain));
        Assert.Equal("sk-live-ünïcødé-123", plain);
        Assert.NotEqual(stored, box.Encrypt("sk-live-ünïcødé-123"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TryDecrypt_AlteredPart_IsRefused(int part)
    {
        var box = new SecretBox(Key);
        var pieces = box.Encrypt("secret value").Split(':');
        var chars = pieces[part].ToCharArray();
        chars[0] = chars[0] == '0' ? '1' : '0';
        pieces[part] = new string(chars);

        Assert.False(box.TryDecrypt(string.Join(':', pieces), out _));
    }

    [Fact]
    public void TryDecrypt_OtherKeyOrNoKeyOrMalformed_IsRefused()
    {
        var stored = new SecretBox(Key).Encrypt("secret value");

        Assert.False(new SecretBox("another-key-entirely-for-this-test").TryDecrypt(stored, out _));
        Assert.False(new SecretBox(null).TryDecrypt(stored, out _));
        Assert.False(new SecretBox(Key).TryDecrypt("enc:zz:00:11", out _));
        Assert.False(new SecretBox(Key).TryDecrypt("enc:only-two:parts", out _));
    }

    [Fact]
    public void TryDecrypt_ValueWithoutPrefix_IsReadAsPlaintext()
    {
        Assert.True(new SecretBox(Key).TryDecrypt("legacy-plain-key", out var plain));
        Assert.Equal("legacy-plain-key", plain);
    }

    [Fact]
    public void Encrypt_WithoutKey_StoresPlaintext()
    {
        var box = new SecretBox("");

        Assert.False(box.HasKey);
        Assert.Equal("dev-value", box.Encrypt("dev-value"));
    }

    [Fact]
    public void DeriveKey_Base64Of32Bytes_IsUsedAsIs_OtherwiseSha256()
    {
        var raw = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(raw, SecretBox.DeriveKey(Convert.ToBase64String(raw)));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(Key)), SecretBox.DeriveKey(Key));
        var sixteen = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(sixteen)), SecretBox.DeriveKey(sixteen));
    }

    [Fact]
    public void TryDecrypt_ValueSealedByAnotherImplementation_Opens()
    {
        // Sealed by hand exactly as the contract describes: AES-256-GCM, key SHA-256(ENCRYPTION_KEY), hex parts.
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(Key));
        var iv = RandomNumberGenerator.GetBytes(12);
        var plain = Encoding.UTF8.GetBytes("interop");
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(iv, plain, cipher, tag);
        }

        var stored = $"enc:{Convert.ToHexStringLower(iv)}:{Convert.ToHexStringLower(cipher)}:{Convert.ToHexStringLower(tag)}";

        Assert.True(new SecretBox(Key).TryDecrypt(stored, out var opened));
        Assert.Equal("interop", opened);
    }
}
