using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class KeysAndUsage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "expires_at",
                table: "api_tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "last_used_at",
                table: "api_tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "name",
                table: "api_tokens",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "scopes",
                table: "api_tokens",
                type: "text[]",
                nullable: false,
                defaultValueSql: "ARRAY['bots','transcripts']::text[]");

            migrationBuilder.CreateTable(
                name: "meeting_usage",
                columns: table => new
                {
                    meeting_id = table.Column<long>(type: "bigint", nullable: false),
                    user_id = table.Column<long>(type: "bigint", nullable: false),
                    platform = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    native_meeting_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    start_time = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    end_time = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_meeting_usage", x => x.meeting_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_meeting_usage_start_time",
                table: "meeting_usage",
                column: "start_time");

            migrationBuilder.CreateIndex(
                name: "ix_meeting_usage_user_id_start_time",
                table: "meeting_usage",
                columns: new[] { "user_id", "start_time" });

            // Every change of a meeting's status or times, by EF or by SQL, on any replica, reaches its usage row in the
            // same transaction; a deletion only marks it. A meeting that became final without an end time ends now.
            migrationBuilder.Sql("""
                CREATE FUNCTION record_meeting_usage() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        UPDATE meeting_usage SET deleted_at = now() WHERE meeting_id = OLD.id;
                        RETURN OLD;
                    END IF;
                    INSERT INTO meeting_usage (meeting_id, user_id, platform, native_meeting_id, status, start_time, end_time, created_at)
                    VALUES (NEW.id, NEW.user_id, NEW.platform, NEW.native_meeting_id, NEW.status, NEW.start_time,
                            CASE WHEN NEW.status IN ('completed', 'failed', 'error') THEN coalesce(NEW.end_time, now()) ELSE NEW.end_time END,
                            NEW.created_at)
                    ON CONFLICT (meeting_id) DO UPDATE
                        SET status = EXCLUDED.status, start_time = EXCLUDED.start_time,
                            end_time = CASE WHEN NEW.end_time IS NULL AND EXCLUDED.status IN ('completed', 'failed', 'error')
                                            THEN coalesce(meeting_usage.end_time, EXCLUDED.end_time) ELSE EXCLUDED.end_time END;
                    RETURN NEW;
                END
                $$;

                CREATE TRIGGER meetings_usage
                    AFTER INSERT OR UPDATE OF status, start_time, end_time OR DELETE ON meetings
                    FOR EACH ROW EXECUTE FUNCTION record_meeting_usage();

                INSERT INTO meeting_usage (meeting_id, user_id, platform, native_meeting_id, status, start_time, end_time, created_at)
                SELECT id, user_id, platform, native_meeting_id, status, start_time,
                       CASE WHEN status IN ('completed', 'failed', 'error') THEN coalesce(end_time, updated_at) ELSE end_time END,
                       created_at
                FROM meetings
                ON CONFLICT (meeting_id) DO NOTHING;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER meetings_usage ON meetings; DROP FUNCTION record_meeting_usage();");

            migrationBuilder.DropTable(
                name: "meeting_usage");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "last_used_at",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "name",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "scopes",
                table: "api_tokens");
        }
    }
}
