using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class RevokedTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "revoked_tokens",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    token_hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_revoked_tokens", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_revoked_tokens_revoked_at",
                table: "revoked_tokens",
                column: "revoked_at");

            // Every deletion of a key, alone or with its user (cascade), by EF or by SQL, is recorded in the same
            // transaction: gateways learn of it from here even when Redis could not be told.
            migrationBuilder.Sql("""
                CREATE FUNCTION record_revoked_token() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO revoked_tokens (token_hash) VALUES (OLD.token_hash);
                    RETURN OLD;
                END
                $$;

                CREATE TRIGGER api_tokens_revoked
                    AFTER DELETE ON api_tokens
                    FOR EACH ROW EXECUTE FUNCTION record_revoked_token();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER api_tokens_revoked ON api_tokens; DROP FUNCTION record_revoked_token();");

            migrationBuilder.DropTable(
                name: "revoked_tokens");
        }
    }
}
