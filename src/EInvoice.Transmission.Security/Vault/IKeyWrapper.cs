namespace EInvoice.Transmission.Security;

/// <summary>
/// A key custodian: wraps and unwraps the data keys of envelopes with key-encryption keys it holds, identified by key
/// id, whether or not the process may read those keys (a local ring, a PKCS#11 token, a cloud KMS).
/// </summary>
/// <remarks>
/// <para>
/// The vault calls <see cref="WrapKeyAsync"/> once per sealed value and <see cref="UnwrapKeyAsync"/> once per opened
/// value (fewer with a data-key cache). <see cref="KeyWrapContext"/> carries the key id, the company and the field; an
/// implementation binds them to the wrapped key (as AES-GCM associated data, or as a KMS encryption context), so that a
/// wrapped key copied to another company, field or key id does not unwrap.
/// </para>
/// <para>
/// A wrapped key that does not unwrap (modified, or bound to another context) throws
/// <see cref="System.Security.Cryptography.CryptographicException"/>; the vault turns it into its one
/// <see cref="CredentialVaultException"/>. A custodian that cannot be reached throws
/// <see cref="KeyCustodianUnavailableException"/>, which the vault lets through, so that a caller can retry. Neither
/// message may carry key material.
/// </para>
/// <para>
/// A wrapper unwraps only with the key it holds for <see cref="KeyWrapContext.KeyId"/>, never with a key named inside
/// the wrapped bytes (a KMS ciphertext blob names its key; the AWS KMS wrapper passes its configured key to
/// <c>Decrypt</c>), so that a wrapped key made under another key the attacker can use is refused.
/// </para>
/// </remarks>
public interface IKeyWrapper
{
    /// <summary>Whether this custodian holds the key <paramref name="keyId"/>. Answers from configuration, without I/O.</summary>
    /// <param name="keyId">A key id as written in envelopes.</param>
    /// <returns><see langword="true"/> when <see cref="WrapKeyAsync"/> and <see cref="UnwrapKeyAsync"/> accept that key id.</returns>
    bool HoldsKey(string keyId);

    /// <summary>Wraps a data key under the key <see cref="KeyWrapContext.KeyId"/>, bound to the context.</summary>
    /// <param name="dataKey">The 32-byte data key. Do not keep it.</param>
    /// <param name="context">The key id, company and field.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The envelope suite of the wrap algorithm and the wrapped key.</returns>
    /// <exception cref="KeyCustodianUnavailableException">The custodian cannot be reached now.</exception>
    ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, KeyWrapContext context, CancellationToken cancellationToken);

    /// <summary>Unwraps a data key wrapped by <see cref="WrapKeyAsync"/> for the same context.</summary>
    /// <param name="wrappedKey">The suite and the wrapped key, as read from an envelope.</param>
    /// <param name="context">The key id, company and field, taken from where the envelope is stored.</param>
    /// <param name="dataKey">Receives the 32-byte data key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when <paramref name="dataKey"/> is filled.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The wrapped key does not unwrap under this key and context.</exception>
    /// <exception cref="KeyCustodianUnavailableException">The custodian cannot be reached now.</exception>
    ValueTask UnwrapKeyAsync(WrappedKey wrappedKey, KeyWrapContext context, Memory<byte> dataKey, CancellationToken cancellationToken);
}
