using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// PostgreSQL refuses the connection (the server is full, nothing listens, or the pool is exhausted): a send fails
/// with the transient <see cref="OAuthTokenException.StorageUnavailable"/> and nothing goes out; a credential change
/// fails with the provider's own exception and stores nothing. The behaviour README.md describes.
/// </summary>
public sealed class PostgresRefusesConnectionsTests
{
    public enum Refusal
    {
        /// <summary>The server answers 53300 (too many connections), as a full server does: here a role with CONNECTION LIMIT 0.</summary>
        ServerFull,

        /// <summary>Nothing listens on the port.</summary>
        NothingListens,

        /// <summary>Every connection of the pool is in use and none frees up before the pool's timeout.</summary>
        PoolExhausted,
    }

    [SkippableTheory]
    [InlineData(Refusal.ServerFull)]
    [InlineData(Refusal.NothingListens)]
    [InlineData(Refusal.PoolExhausted)]
    public async Task SendAsync_StorageRefusesConnections_ThrowsTransientStorageUnavailableAndSendsNothing(Refusal refusal)
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        await using (var working = TransmissionTestHost.With().Storage(Repository(database.DataSource)).Start())
        {
            await working.SetDirectAsync();
        }

        await using var refused = await RefusedAsync(database, refusal);
        await using var host = TransmissionTestHost.With().Storage(Repository(refused.DataSource)).Start();
        host.ServeApi(The.ApiEndpoint);

        var error = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;

        error.Error.Should().Be(OAuthTokenException.StorageUnavailable);
        error.IsTransient.Should().BeTrue("the caller may try again later; the credentials themselves are fine");
        error.InnerException.Should().BeAssignableTo<NpgsqlException>("the provider's exception says why");
        host.ApiCalls.Should().BeEmpty("no request goes out without credentials");
        host.Http.VerifyNoOutstandingExpectation();
    }

    [SkippableTheory]
    [InlineData(Refusal.ServerFull)]
    [InlineData(Refusal.NothingListens)]
    [InlineData(Refusal.PoolExhausted)]
    public async Task SetAsync_StorageRefusesConnections_ThrowsTheProvidersExceptionAndStoresNothing(Refusal refusal)
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        var repository = Repository(database.DataSource);
        await repository.MigrateAsync();

        await using (var refused = await RefusedAsync(database, refusal))
        {
            await using var host = TransmissionTestHost.With().Storage(Repository(refused.DataSource)).Start();

            await FluentActions.Awaiting(() => host.SetDirectAsync()).Should().ThrowAsync<NpgsqlException>();
        }

        (await repository.GetAsync(The.CompanyId)).Should().BeNull("nothing was stored");
        (await repository.GetAuditHeadAsync()).Should().BeNull("nothing was audited either: the audit shares the refused storage");
    }

    private static DapperCredentialRepository Repository(NpgsqlDataSource dataSource)
        => new(dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);

    private static async Task<RefusedDataSource> RefusedAsync(PostgresDatabase.IsolatedSchema database, Refusal refusal)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 2 };
        switch (refusal)
        {
            case Refusal.ServerFull:
                var role = $"eits_refused_{Guid.NewGuid():N}";
                var password = Guid.NewGuid().ToString("N");
                try
                {
                    await PostgresDatabase.ExecuteAsAdminAsync($"CREATE ROLE {role} LOGIN PASSWORD '{password}' CONNECTION LIMIT 0");
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                {
                    Skip.If(true, $"The PostgreSQL user may not create roles, which this test needs to make the server refuse a connection: {ex.MessageText}");
                }

                builder.Username = role;
                builder.Password = password;
                return new RefusedDataSource(NpgsqlDataSource.Create(builder.ConnectionString), Held: null, Role: role);

            case Refusal.NothingListens:
                using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
                {
                    probe.Start();
                    builder.Host = "127.0.0.1";
                    builder.Port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
                }

                return new RefusedDataSource(NpgsqlDataSource.Create(builder.ConnectionString), Held: null, Role: null);

            default:
                builder.MaxPoolSize = 1;
                builder.Timeout = 1;
                var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
                return new RefusedDataSource(dataSource, Held: await dataSource.OpenConnectionAsync(), Role: null);
        }
    }

    private sealed record RefusedDataSource(NpgsqlDataSource DataSource, NpgsqlConnection? Held, string? Role) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Held is not null)
            {
                await Held.DisposeAsync();
            }

            await DataSource.DisposeAsync();
            if (Role is not null)
            {
                await PostgresDatabase.ExecuteAsAdminAsync($"DROP ROLE IF EXISTS {Role}");
            }
        }
    }
}
