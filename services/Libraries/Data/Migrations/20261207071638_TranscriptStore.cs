using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class TranscriptStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "transcript_stored_at",
                table: "meetings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "transcript_segments",
                columns: table => new
                {
                    meeting_id = table.Column<long>(type: "bigint", nullable: false),
                    segment_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    start = table.Column<double>(type: "double precision", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    speaker = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    json = table.Column<string>(type: "text", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    search = table.Column<NpgsqlTsVector>(type: "tsvector", nullable: false)
                        .Annotation("Npgsql:TsVectorConfig", "simple")
                        .Annotation("Npgsql:TsVectorProperties", new[] { "text" })
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_transcript_segments", x => new { x.meeting_id, x.segment_key });
                    table.ForeignKey(
                        name: "fk_transcript_segments_meetings_meeting_id",
                        column: x => x.meeting_id,
                        principalTable: "meetings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_transcript_segments_search",
                table: "transcript_segments",
                column: "search")
                .Annotation("Npgsql:IndexMethod", "GIN");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "transcript_segments");

            migrationBuilder.DropColumn(
                name: "transcript_stored_at",
                table: "meetings");
        }
    }
}
