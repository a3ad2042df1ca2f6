using System.Buffers.Text;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tool.Commands;

/// <summary><c>key new</c> and <c>key check</c>.</summary>
internal static class KeyCommands
{
    private const string ProbeCompany = "eits-key-check";
    private const string ProbeField = "eits.probe";
    private const int KeyLength = 32;

    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var key = new Command("key", "Key-encryption keys (KEKs): make a new one, check the configured ring.");
        key.Subcommands.Add(CreateNew(context, global));
        key.Subcommands.Add(CreateCheck(context, global));
        return key;
    }

    private static Command CreateNew(ToolContext context, GlobalOptions global)
    {
        var id = new Option<string?>("--id")
        {
            Description = "The key id (default kek_YYYY_MM). Letters, digits and '_' only if it is to be set through an environment variable.",
            HelpName = "ID",
        };
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Write the key (Base64) to this new file, readable by its owner only, and print nothing secret.",
            HelpName = "FILE",
        };
        var command = new Command("new", "Generate a key-encryption key: 32 random bytes, Base64, with a valid id.") { id, output };
        CommandLineActions.Set(command, context, (parseResult, _) =>
            Task.FromResult(New(context, global.Read(parseResult), parseResult.GetValue(id), parseResult.GetValue(output))));
        return command;
    }

    private static int New(ToolContext context, GlobalOptions.Values options, string? requestedId, FileInfo? file)
    {
        var keyId = requestedId ?? string.Create(CultureInfo.InvariantCulture, $"kek_{context.TimeProvider.GetUtcNow():yyyy_MM}");
        var key = new byte[KeyLength];
        try
        {
            RandomNumberGenerator.Fill(key);
            Validate(keyId, key);
            var variable = $"EInvoiceTransmission__Vault__Keys__{keyId}";
            var envFriendly = keyId.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_');
            if (!envFriendly)
            {
                context.Error.WriteLine($"warning: the id '{keyId}' cannot be set through an environment variable (a shell refuses '-' and '.' in a name); set it in a secret store or configuration file, or choose an id of letters, digits and '_'.");
            }

            if (file is not null)
            {
                WriteOwnerOnly(file, key);
                if (options.Json)
                {
                    JsonOutput.Write(context.Out, new { keyId, file = file.FullName, environmentVariable = envFriendly ? variable : null });
                }
                else
                {
                    context.Out.WriteLine($"Wrote key {keyId} to {file.FullName} (readable by its owner only).");
                    context.Out.WriteLine("Add it to the ring of every instance, for example:");
                    context.Out.WriteLine($"  export {variable}=\"$(cat {file.FullName})\"");
                    context.Out.WriteLine($"then make it active with EInvoiceTransmission__Vault__ActiveKeyId={keyId}, and run 'eits rewrap'.");
                }

                return ExitCodes.Success;
            }

            // Once, on standard error, so that it reaches the person even when the key itself is piped somewhere.
            context.Error.WriteLine("warning: the key is printed below: it stays in this terminal's scrollback and in any log of this session. Prefer --out FILE.");
            var base64 = Convert.ToBase64String(key);
            if (options.Json)
            {
                JsonOutput.Write(context.Out, new { keyId, key = base64, environmentVariable = envFriendly ? variable : null });
            }
            else
            {
                context.Out.WriteLine($"key id: {keyId}");
                context.Out.WriteLine($"key:    {base64}");
            }

            return ExitCodes.Success;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The library's own rules for ids and keys: the ring refuses what a host would refuse at start.</summary>
    private static void Validate(string keyId, byte[] key)
    {
        try
        {
            using var ring = new KeyEncryptionKeyRing(keyId, [new KeyValuePair<string, byte[]>(keyId, key)]);
        }
        catch (ArgumentException ex)
        {
            throw new ToolException(ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static void WriteOwnerOnly(FileInfo file, byte[] key)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created with these permissions, never widened afterwards: no moment where others could read it.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(file.FullName, options);
        }
        catch (IOException) when (file.Exists)
        {
            // Never overwrite: the file may hold the only copy of a key that seals stored values.
            throw new ToolException($"{file.FullName} exists: a key file is never overwritten. Choose another name.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"Cannot create {file.FullName}: {ex.Message}", ex);
        }

        using (stream)
        {
            // Encoded into a buffer that is zeroed afterwards, rather than into a string that stays on the heap.
            var text = new byte[Base64.GetMaxEncodedToUtf8Length(KeyLength) + 1];
            try
            {
                Base64.EncodeToUtf8(key, text, out _, out var written);
                text[written] = (byte)'\n';
                stream.Write(text, 0, written + 1);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(text);
            }
        }
    }

    private static Command CreateCheck(ToolContext context, GlobalOptions global)
    {
        var command = new Command("check", "Seal and open a probe with the configured key ring; count which keys still seal stored values (counts, never values).");
        CommandLineActions.Set(command, context, (parseResult, cancellationToken) => CheckAsync(context, global.Read(parseResult), cancellationToken));
        return command;
    }

    private static async Task<int> CheckAsync(ToolContext context, GlobalOptions.Values options, CancellationToken cancellationToken)
    {
        await using var host = ToolHost.Create(context, options);
        var ring = host.Services.GetRequiredService<IKeyEncryptionKeyProvider>().GetKeyRing();
        var vault = host.Services.GetRequiredService<CredentialVault>();

        string? probeProblem = null;
        var probe = RandomNumberGenerator.GetBytes(KeyLength);
        try
        {
            var envelope = await vault.SealAsync(probe, ProbeCompany, ProbeField, cancellationToken);
            var opened = await vault.OpenAsync(envelope, ProbeCompany, ProbeField, cancellationToken);
            probeProblem = CredentialVault.GetKeyId(envelope) != vault.ActiveKeyId ? "the probe was not sealed under the active key"
                : !CryptographicOperations.FixedTimeEquals(opened, probe) ? "the probe did not open to what was sealed"
                : null;
            CryptographicOperations.ZeroMemory(opened);
        }
        catch (CredentialVaultException ex)
        {
            probeProblem = ex.Message;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(probe);
        }

        var usage = await KeyUsage.ScanAsync(host.Services.GetRequiredService<ICredentialRepository>(), vault.ActiveKeyId, cancellationToken);
        var keys = ring.KeyIds.Union(usage.Keys.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(id => new KeyReport(
                id,
                ring.KeyIds.Contains(id),
                id == vault.ActiveKeyId,
                usage.Keys.GetValueOrDefault(id)?.Credentials ?? 0,
                usage.Keys.GetValueOrDefault(id)?.Envelopes ?? 0))
            .ToList();
        var missing = keys.Where(static k => !k.InRing).Sum(static k => k.Envelopes);

        if (options.Json)
        {
            JsonOutput.Write(context.Out, new
            {
                activeKeyId = vault.ActiveKeyId,
                probe = probeProblem is null ? "ok" : "failed",
                probeProblem,
                credentials = usage.Credentials,
                envelopesUnderKeysNotInRing = missing,
                keys,
            });
        }
        else
        {
            var console = Screen.Create(context);
            context.Out.WriteLine(probeProblem is null
                ? $"Probe sealed and opened under the active key {vault.ActiveKeyId}."
                : $"Probe FAILED under the active key {vault.ActiveKeyId}: {probeProblem}");
            context.Out.WriteLine($"Storage: {host.Storage.Description}, {usage.Credentials} companies.");
            var table = Screen.Table("key", "in ring", "active", "companies", "envelopes");
            foreach (var k in keys)
            {
                table.Row(k.KeyId, Screen.YesNo(k.InRing), k.Active ? "active" : string.Empty, k.Credentials.ToString(CultureInfo.InvariantCulture), k.Envelopes.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(table);
            if (missing > 0)
            {
                context.Out.WriteLine($"{missing} stored envelopes are sealed under keys that are not in the ring: they cannot be opened until those keys are added back.");
            }
            else if (keys.Any(k => k.InRing && !k.Active && k.Envelopes == 0))
            {
                context.Out.WriteLine("A key that seals nothing stored may leave the ring once 'eits rewrap' has run under the active key (its run vouches for the audit entries of older keys).");
            }
            else if (keys.Any(k => !k.Active && k.Envelopes > 0))
            {
                context.Out.WriteLine("Values are still sealed under an older key: run 'eits rewrap' before removing it from the ring.");
            }
        }

        return probeProblem is null && missing == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    private sealed record KeyReport(string KeyId, bool InRing, bool Active, long Credentials, long Envelopes);
}
