using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.AwsKms.Tests;

/// <summary>
/// A test-only stand-in for AWS KMS on 127.0.0.1 that speaks the KMS JSON protocol (POST, <c>X-Amz-Target:
/// TrentService.Encrypt|Decrypt</c>, <c>application/x-amz-json-1.1</c>) for one symmetric key. Its ciphertext is AES-GCM
/// under a key of its own with the encryption context (canonical JSON) as associated data, so a Decrypt with another
/// context, key or a changed blob fails with <c>InvalidCiphertextException</c>, as KMS does. It records every request's
/// encryption context. It proves the adapter drives the real AWS SDK correctly; it proves nothing about AWS itself.
/// </summary>
public sealed class FakeKms : IAsyncDisposable
{
    public const string KeyArn = "arn:aws:kms:eu-central-1:111122223333:key/0f6c6d7e-1111-4a2b-9c3d-5e6f7a8b9c0d";

    /// <summary>Another symmetric key of the same account, which an attacker may use to make blobs.</summary>
    public const string OtherKeyArn = "arn:aws:kms:eu-central-1:111122223333:key/6a6b6c6d-2222-4a2b-9c3d-5e6f7a8b9c0d";

    // Like a real KMS blob, the fake's blob names its key (first byte: 0 = KeyArn, 1 = OtherKeyArn), and Decrypt without a
    // KeyId uses the key the blob names; with a KeyId, a blob of another key is IncorrectKeyException.
    private readonly byte[][] _keys = [RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32)];
    private readonly LoopbackHttpServer _server;

    public FakeKms()
    {
        _server = new LoopbackHttpServer(Respond);
        Client = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials("AKIDTEST", "test-secret"),
            new AmazonKeyManagementServiceConfig { ServiceURL = _server.BaseUri.AbsoluteUri, AuthenticationRegion = "eu-central-1", MaxErrorRetry = 0 });
    }

    public IAmazonKeyManagementService Client { get; }

    /// <summary>When <see langword="false"/>, every call answers 500 <c>KMSInternalException</c>.</summary>
    public bool IsAvailable { get; set; } = true;

    /// <summary>The encryption context of every request, by operation (<c>Encrypt</c>, <c>Decrypt</c>).</summary>
    public ConcurrentQueue<(string Operation, IReadOnlyDictionary<string, string> Context)> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }

    private (int, string, IReadOnlyDictionary<string, string>?) Respond(HttpListenerRequest request, string body)
    {
        var operation = request.Headers["X-Amz-Target"]?.Split('.').Last() ?? "";
        if (!IsAvailable)
        {
            return Error(500, "KMSInternalException", "switched off");
        }

        var json = JsonNode.Parse(body)!.AsObject();
        var context = (json["EncryptionContext"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal) ?? [];
        Requests.Enqueue((operation, context));
        int? requested = json["KeyId"]?.GetValue<string>() switch
        {
            null => null,
            KeyArn or "alias/einvoice" => 0,
            OtherKeyArn => 1,
            _ => -1,
        };
        if (requested == -1 || (requested is null && operation != "Decrypt"))
        {
            return Error(400, "NotFoundException", "unknown key");
        }

        var aad = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new SortedDictionary<string, string>(context, StringComparer.Ordinal)));
        switch (operation)
        {
            case "Encrypt":
            {
                using var aes = new AesGcm(_keys[requested!.Value], 16);
                var plaintext = Convert.FromBase64String(json["Plaintext"]!.GetValue<string>());
                var blob = new byte[1 + 12 + plaintext.Length + 16];
                blob[0] = (byte)requested.Value;
                RandomNumberGenerator.Fill(blob.AsSpan(1, 12));
                aes.Encrypt(blob.AsSpan(1, 12), plaintext, blob.AsSpan(13, plaintext.Length), blob.AsSpan(13 + plaintext.Length), aad);
                return Ok(new JsonObject { ["CiphertextBlob"] = Convert.ToBase64String(blob), ["KeyId"] = requested == 0 ? KeyArn : OtherKeyArn, ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT" });
            }

            case "Decrypt":
            {
                var blob = Convert.FromBase64String(json["CiphertextBlob"]!.GetValue<string>());
                if (blob.Length < 29 || blob[0] > 1)
                {
                    return Error(400, "InvalidCiphertextException", "");
                }

                if (requested is { } wanted && wanted != blob[0])
                {
                    return Error(400, "IncorrectKeyException", "");
                }

                using var aes = new AesGcm(_keys[blob[0]], 16);
                var plaintext = new byte[blob.Length - 29];
                try
                {
                    aes.Decrypt(blob.AsSpan(1, 12), blob.AsSpan(13, plaintext.Length), blob.AsSpan(13 + plaintext.Length), plaintext, aad);
                }
                catch (AuthenticationTagMismatchException)
                {
                    return Error(400, "InvalidCiphertextException", "");
                }

                return Ok(new JsonObject { ["Plaintext"] = Convert.ToBase64String(plaintext), ["KeyId"] = KeyArn, ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT" });
            }

            default:
                return Error(400, "UnknownOperationException", operation);
        }
    }

    private static (int, string, IReadOnlyDictionary<string, string>?) Ok(JsonObject body)
        => (200, body.ToJsonString(), null);

    private static (int, string, IReadOnlyDictionary<string, string>?) Error(int status, string type, string message)
        => (status, new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString(),
            new Dictionary<string, string> { ["x-amzn-ErrorType"] = type });
}
