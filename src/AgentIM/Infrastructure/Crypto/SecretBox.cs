using System.Security.Cryptography;
using System.Text;

namespace AgentIM.Infrastructure.Crypto;

/// <summary>
/// Secrets at rest (data-model.md §1.4): AES-256-GCM written as <c>enc:&lt;iv hex&gt;:&lt;ciphertext hex&gt;:&lt;tag hex&gt;</c>
/// with a 12-byte IV and a 16-byte tag. The format is stable: rows written by upstream hubs must keep decrypting.
/// Without a key (development only; production refuses to start without one) values are stored as plain text,
/// and a value without the <c>enc:</c> prefix is always read as plain text.
/// </summary>
public sealed class SecretBox
{
    public const string Prefix = "enc:";

    private const int IvBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[]? _key;

    public SecretBox(string? encryptionKey)
    {
        _key = string.IsNullOrEmpty(encryptionKey) ? null : DeriveKey(encryptionKey);
    }

    public bool HasKey => _key is not null;

    /// <summary>The key: ENCRYPTION_KEY itself when it is base64 of exactly 32 bytes, else SHA-256 of its UTF-8 text.</summary>
    public static byte[] DeriveKey(string encryptionKey)
    {
        Span<byte> decoded = stackalloc byte[48];
        if (Convert.TryFromBase64String(encryptionKey, decoded, out var written) && written == 32)
        {
            return decoded[..32].ToArray();
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(encryptionKey));
    }

    public static bool IsEncrypted(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public string Encrypt(string plaintext)
    {
        if (_key is null)
        {
            return plaintext;
        }

        var iv = RandomNumberGenerator.GetBytes(IvBytes);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[plain.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(_key, TagBytes))
        {
            aes.Encrypt(iv, plain, cipher, tag);
        }

        return $"{Prefix}{Convert.ToHexStringLower(iv)}:{Convert.ToHexStringLower(cipher)}:{Convert.ToHexStringLower(tag)}";
    }

    /// <summary>
    /// Reads a stored value. False when it is in the <c>enc:</c> format but cannot be opened: no key, a different key,
    /// a malformed value, or a ciphertext, IV or tag that was altered (GCM authenticates all three).
    /// </summary>
    public bool TryDecrypt(string stored, out string plaintext)
    {
        plaintext = "";
        if (!IsEncrypted(stored))
        {
            plaintext = stored;
            return true;
        }

        if (_key is null)
        {
            return false;
        }

        var parts = stored[Prefix.Length..].Split(':');
        if (parts.Length != 3)
        {
            return false;
        }

        try
        {
            var iv = Convert.FromHexString(parts[0]);
            var cipher = Convert.FromHexString(parts[1]);
            var tag = Convert.FromHexString(parts[2]);
            if (iv.Length != IvBytes || tag.Length != TagBytes)
            {
                return false;
            }

            var plain = new byte[cipher.Length];
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(iv, cipher, tag, plain);
            plaintext = Encoding.UTF8.GetString(plain);
            return true;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }
}
