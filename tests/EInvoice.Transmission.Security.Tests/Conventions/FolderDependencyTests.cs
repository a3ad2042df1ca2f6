using System.Text;
using System.Text.RegularExpressions;

namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>
/// The dependency direction between the folders of the shipped projects (docs/architecture.md, issue #16). Namespaces
/// are flat (public types in the root namespace, the rest in <c>.Internal</c>), so the rule is checked on folders: the
/// test reads the sources, collects the top-level types each folder declares, and fails when a file references, by
/// name, a type of a folder its folder may not reference. Comments and string literals do not count.
/// </summary>
/// <remarks>
/// A folder is the first folder under the project; a feature's <c>Internal/</c> belongs to the feature, and files at
/// the project root form the folder <c>(root)</c>. An entry of <see cref="Rule.MayReference"/> is a folder, or
/// <c>Folder.Type</c> when only that type of the folder may be used. A folder not listed in a rule may not be referenced;
/// no folder may reference DependencyInjection, the composition root. Top-level types are the declarations that start a
/// line (namespaces are file-scoped, IDE0161); a reference is the type's name as a whole identifier.
/// </remarks>
public sealed partial class FolderDependencyTests
{
    // The tables of docs/architecture.md, "Dependency direction" (DocumentedTables_MatchTheRules keeps them the same).
    private static readonly Rule[] CoreRules =
    [
        new("(root)", [], "public constants only"),
        new("Internal", ["Audit", "Credentials"], "Log takes their enums as message parameters"),
        new("Vault", ["(root)", "Internal", "Audit.AuditKey"], "the vault derives the audit key from the active KEK; nothing else of the audit"),
        new("Audit", ["Internal", "Vault.CredentialVault", "Vault.KeyEncryptionKey"], "the audit MAC key comes from the KEK ring"),
        new("Kinds", ["(root)", "Internal", "Vault", "Credentials", "OAuth.OAuthOptions", "OAuth.TokenClient", "OAuth.OAuthTokenException"], "a kind reads credential values and requests tokens (and reads the refusal that makes it try a secondary secret); it never sees the cache, the handler or the audit"),
        new("Credentials", ["(root)", "Internal", "Vault", "Audit", "Kinds", "OAuth.OAuthTokenException"], "TokenPathGateway reports unreadable credentials as a token failure"),
        new("OAuth", ["(root)", "Internal", "Vault", "Credentials", "Kinds"], "reads storage through TokenPathGateway; holds CredentialStore only for its change event"),
        new("Lifecycle", ["(root)", "Internal", "Vault.CredentialVault", "Vault.CredentialVaultException", "Audit.AuditAction", "Credentials", "OAuth.TransmissionTelemetry", "OAuth.AccessTokenCache", "OAuth.CompanyTokenProblem"], "reads the safe statuses and claims reminders in storage; counts them on the library's meter; the health probe and the rollover ask the vault, storage and the token cache"),
        new("DependencyInjection", ["(root)", "Internal", "Vault", "Audit", "Kinds", "Credentials", "OAuth", "Lifecycle"], "the composition root"),
    ];

    private static readonly Rule[] DapperRules =
    [
        new("(root)", ["Internal"], "the repository runs the SQL its helpers describe"),
        new("Internal", [], "rows, dialects, migrations and the file mode know nothing of the repository or its registration"),
        new("DependencyInjection", ["(root)", "Internal"], "the composition root"),
    ];

    public static TheoryData<string> Projects => ["EInvoice.Transmission.Security", "EInvoice.Transmission.Security.Dapper"];

    [Theory]
    [MemberData(nameof(Projects))]
    public void SourceFiles_EachFolder_ReferencesOnlyTheFoldersItMay(string project)
    {
        var rules = RulesOf(project);
        var files = SourceFiles(project);
        var declaredIn = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (Match declaration in TypeDeclaration().Matches(file.Code))
            {
                declaredIn[declaration.Groups["name"].Value] = file.Folder;
            }
        }

        var violations = new List<string>();
        foreach (var file in files)
        {
            var rule = rules.Single(r => r.Folder == file.Folder);
            foreach (var (type, folder) in declaredIn)
            {
                if (folder != file.Folder
                    && !rule.MayReference.Contains(folder)
                    && !rule.MayReference.Contains($"{folder}.{type}")
                    && file.Identifiers.Contains(type))
                {
                    violations.Add($"{file.Path} uses {type} ({folder}); {file.Folder} may reference only {string.Join(", ", rule.MayReference.DefaultIfEmpty("nothing"))}: {rule.Why}");
                }
            }
        }

        declaredIn.Should().ContainKey(project.EndsWith(".Dapper", StringComparison.Ordinal) ? "DapperCredentialRepository" : "CredentialVault", "the scan must see the declarations");
        ConventionAssert.None(violations, "a dependency the table does not allow is a design change: change the code, or the table here and in docs/architecture.md");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Rules_EveryFolder_HasExactlyOneRule(string project)
    {
        var folders = SourceFiles(project).Select(f => f.Folder).Distinct();

        RulesOf(project).Select(r => r.Folder).Should().BeEquivalentTo(folders, "each folder has one rule, and a rule for a folder that is gone is stale");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void DocumentedTables_MatchTheRules(string project)
    {
        var heading = project.EndsWith(".Dapper", StringComparison.Ordinal) ? "### Dapper package" : "### Core";
        var architecture = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md"));
        var start = architecture.IndexOf(heading, StringComparison.Ordinal) + heading.Length;
        var end = architecture.IndexOf("\n#", start, StringComparison.Ordinal) is var next and >= 0 ? next : architecture.Length;
        var documented = DocumentedRule().Matches(architecture[start..end])
            .Select(m => $"{m.Groups["folder"].Value}: {Canonical(m.Groups["references"].Value == "nothing" ? [] : m.Groups["references"].Value.Split(", "))}");

        documented.Should().Equal(
            RulesOf(project).Select(r => $"{r.Folder}: {Canonical(r.MayReference)}"),
            "docs/architecture.md shows the rules this test enforces");

        static string Canonical(IEnumerable<string> references) => string.Join(", ", references.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void StripCommentsAndStrings_CommentsStringsAndInterpolations_KeepsOnlyCode()
    {
        const string Code = """"
            var a = new Alpha(); // Beta
            /* Gamma */ var s = "Delta \" Epsilon" + @"Zeta "" Eta" + 'x' + '"';
            var t = $"Theta {Iota.Name} {{Kappa}}" + $$"""Lambda {{Mu}}""";
            /// <see cref="Nu"/>
            """";

        var code = StripCommentsAndStrings(Code);

        code.Should().Contain("Alpha").And.Contain("Iota").And.Contain("Mu");
        foreach (var word in new[] { "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Kappa", "Lambda", "Nu" })
        {
            code.Should().NotContain(word);
        }
    }

    private static Rule[] RulesOf(string project) => project.EndsWith(".Dapper", StringComparison.Ordinal) ? DapperRules : CoreRules;

    private static List<SourceFile> SourceFiles(string project)
    {
        var root = Path.Combine(RepositoryRoot(), "src", project);
        return
        [
            .. Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
                .Where(path => !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(path => new SourceFile(
                    path,
                    path.Contains('/', StringComparison.Ordinal) ? path[..path.IndexOf('/', StringComparison.Ordinal)] : "(root)",
                    StripCommentsAndStrings(File.ReadAllText(Path.Combine(root, path))))),
        ];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (directory.EnumerateFiles("*.sln").Any())
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No .sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// C# with comments and the text of string and character literals removed; the expressions inside interpolated
    /// strings are kept, since they are code (<c>nameof(T)</c>).
    /// </summary>
    private static string StripCommentsAndStrings(string source)
    {
        var code = new StringBuilder(source.Length);
        var i = 0;
        while (i < source.Length)
        {
            var rest = source.AsSpan(i);
            if (rest.StartsWith("//"))
            {
                i = source.IndexOf('\n', i) is var end and >= 0 ? end : source.Length;
            }
            else if (rest.StartsWith("/*"))
            {
                i = source.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : source.Length;
                code.Append(' ');
            }
            else if (rest[0] == '\'')
            {
                i = SkipCharacter(source, i, code);
            }
            else if (StringStart().Match(source, i) is { Success: true } start)
            {
                i = SkipString(source, start, code);
            }
            else
            {
                code.Append(source[i++]);
            }
        }

        return code.ToString();
    }

    private static int SkipCharacter(string source, int i, StringBuilder code)
    {
        code.Append("' '");
        var end = source.IndexOf('\'', i + (source[i + 1] == '\\' ? 3 : 2));
        return end < 0 ? source.Length : end + 1;
    }

    /// <summary>Skips the string literal <paramref name="start"/> opens, appending the code of its interpolations.</summary>
    private static int SkipString(string source, Match start, StringBuilder code)
    {
        var dollars = start.Groups["dollars"].Length + start.Groups["dollars2"].Length;
        var isVerbatim = start.Groups["verbatim"].Success;
        var quotes = start.Groups["quotes"].Value;
        var isRaw = quotes.Length >= 3;
        var open = new string('{', Math.Max(dollars, 1));
        var i = start.Index + start.Length;
        code.Append("\"\"");
        while (i < source.Length)
        {
            var rest = source.AsSpan(i);
            if (isRaw ? rest.StartsWith(quotes) : rest[0] == '"' && !(isVerbatim && rest.StartsWith("\"\"")))
            {
                return i + quotes.Length;
            }

            if ((!isRaw && (isVerbatim ? rest.StartsWith("\"\"") : rest[0] == '\\')) || (dollars == 1 && rest.StartsWith("{{")))
            {
                i += 2;
            }
            else if (dollars > 0 && rest.StartsWith(open))
            {
                i = SkipInterpolation(source, i + open.Length, open.Length, code);
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    /// <summary>Copies the expression of an interpolation to <paramref name="code"/>, strings inside it skipped.</summary>
    private static int SkipInterpolation(string source, int i, int closingBraces, StringBuilder code)
    {
        code.Append(' ');
        var depth = 0;
        while (i < source.Length)
        {
            if (source[i] == '\'')
            {
                i = SkipCharacter(source, i, code);
            }
            else if (StringStart().Match(source, i) is { Success: true } start)
            {
                i = SkipString(source, start, code);
            }
            else if (source[i] == '}' && depth == 0)
            {
                code.Append(' ');
                return i + closingBraces;
            }
            else
            {
                depth += source[i] switch { '{' => 1, '}' => -1, _ => 0 };
                code.Append(source[i++]);
            }
        }

        return i;
    }

    [GeneratedRegex(@"^(?:(?:public|internal|private|protected|file|static|sealed|abstract|partial|readonly|ref|unsafe|new)\s+)*(?:class|struct|interface|enum|record(?:\s+(?:class|struct))?)\s+(?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\G(?<dollars>\$+)?(?<verbatim>@)?(?<dollars2>\$+)?(?<quotes>""{3,}|"")")]
    private static partial Regex StringStart();

    [GeneratedRegex(@"^\| `(?<folder>[^`]+)` \| (?<references>[^|]+?) \|", RegexOptions.Multiline)]
    private static partial Regex DocumentedRule();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();

    private sealed record Rule(string Folder, string[] MayReference, string Why);

    private sealed record SourceFile(string Path, string Folder, string Code)
    {
        /// <summary>Every identifier of the code: a type is referenced when its name is one (a word-boundary match).</summary>
        public HashSet<string> Identifiers { get; } = [.. Identifier().Matches(Code).Select(m => m.Value)];
    }
}
