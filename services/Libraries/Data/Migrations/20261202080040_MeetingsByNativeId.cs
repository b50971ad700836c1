using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class MeetingsByNativeId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_meetings_native_meeting_id_platform",
                table: "meetings",
                columns: new[] { "native_meeting_id", "platform" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_meetings_native_meeting_id_platform",
                table: "meetings");
        }
    }
}
