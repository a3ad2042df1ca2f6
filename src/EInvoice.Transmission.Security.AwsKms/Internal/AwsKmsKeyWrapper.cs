using System.Net;
using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.AwsKms.Internal;

/// <summary>
/// A key custodian over AWS KMS: <c>Encrypt</c>/<c>Decrypt</c> of each data key under one symmetric KMS key, with the
/// company, field and key id as the KMS encryption context (envelope suite 0x04). KMS checks the context on
/// <c>Decrypt</c> and writes it to CloudTrail, so its own log names the company whose secret was opened.
/// </summary>
internal sealed class AwsKmsKeyWrapper(IAmazonKeyManagementService kms, IOptions<AwsKmsKeyCustodyOptions> options, ILogger<AwsKmsKeyWrapper> logger) : IKeyWrapper
{
    public const byte Suite = 0x04;

    private const int DataKeySize = 32;

    private readonly AwsKmsKeyCustodyOptions _options = options.Value;

    public string KeyId => _options.KeyId!;

    public bool HoldsKey(string keyId) => string.Equals(keyId, _options.KeyId, StringComparison.Ordinal);

    public async ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, KeyWrapContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Check(context, dataKey.Length);
        var plaintext = dataKey.ToArray();
        try
        {
            using var stream = new MemoryStream(plaintext, writable: false);
            var response = await CallAsync(
                () => kms.EncryptAsync(new EncryptRequest { KeyId = _options.KmsKeyId, Plaintext = stream, EncryptionContext = EncryptionContext(context) }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            logger.AwsKmsKeyOperation(KeyId, "wrapped", context.CompanyId, context.FieldName);
            return new WrappedKey(Suite, response.CiphertextBlob.ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public async ValueTask UnwrapKeyAsync(WrappedKey wrappedKey, KeyWrapContext context, Memory<byte> dataKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Check(context, dataKey.Length);
        if (wrappedKey.Suite != Suite)
        {
            throw new CryptographicException("The wrapped key is not one an AWS KMS custodian makes.");
        }

        using var blob = new MemoryStream(wrappedKey.Value.ToArray(), writable: false);
        DecryptResponse response;
        try
        {
            response = await CallAsync(
                () => kms.DecryptAsync(new DecryptRequest { KeyId = _options.KmsKeyId, CiphertextBlob = blob, EncryptionContext = EncryptionContext(context) }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidCiphertextException or IncorrectKeyException)
        {
            // A modified blob, another key's blob, or another company's or field's context: KMS says it does not decrypt.
            throw new CryptographicException("AWS KMS refused the wrapped key.", ex);
        }

        var plaintext = response.Plaintext;
        try
        {
            if (plaintext.Length != DataKeySize)
            {
                throw new CryptographicException("The wrapped key did not decrypt to a data key.");
            }

            plaintext.GetBuffer().AsSpan(0, DataKeySize).CopyTo(dataKey.Span);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext.GetBuffer());
            await plaintext.DisposeAsync().ConfigureAwait(false);
        }

        logger.AwsKmsKeyOperation(KeyId, "unwrapped", context.CompanyId, context.FieldName);
    }

    private static Dictionary<string, string> EncryptionContext(KeyWrapContext context) => new(StringComparer.Ordinal)
    {
        ["company"] = context.CompanyId,
        ["field"] = context.FieldName,
        ["kek"] = context.KeyId,
    };

    private void Check(KeyWrapContext context, int dataKeyLength)
    {
        if (!HoldsKey(context.KeyId))
        {
            throw new ArgumentException($"The key '{context.KeyId}' is not the AWS KMS key '{KeyId}'.", nameof(context));
        }

        if (dataKeyLength != DataKeySize)
        {
            throw new ArgumentException($"A data key is {DataKeySize} bytes long.", nameof(context));
        }
    }

    /// <summary>Turns an outage (network, throttling, KMS-side failure) into the custodian's transient exception.</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsOutage(ex) && !cancellationToken.IsCancellationRequested)
        {
            var problem = ex is AmazonServiceException service ? $"{service.ErrorCode ?? service.GetType().Name} (HTTP {(int)service.StatusCode})" : ex.GetType().Name;
            logger.AwsKmsUnavailable(KeyId, problem);
            throw new KeyCustodianUnavailableException(KeyId, $"AWS KMS cannot be used now for key '{KeyId}' ({problem}).", ex);
        }
    }

    private static bool IsOutage(Exception ex) => ex switch
    {
        KMSInternalException or DependencyTimeoutException or LimitExceededException or KeyUnavailableException => true,
        AmazonServiceException service => service.StatusCode >= HttpStatusCode.InternalServerError || service.StatusCode == HttpStatusCode.TooManyRequests,
        HttpRequestException or TimeoutException or IOException => true,
        AmazonClientException { InnerException: HttpRequestException or IOException } => true,
        TaskCanceledException => true,
        _ => false,
    };
}
