package dev.mailflow.milter;

/**
 * The milter protocol's numbers (libmilter {@code mfdef.h}, protocol version 6): commands the
 * MTA sends, replies the milter sends, the actions a milter may take and the protocol flags
 * that leave stages out or replies unsent.
 */
final class Protocol {

    private Protocol() {
    }

    static final int VERSION = 6;

    /** libmilter's MILTER_CHUNK_SIZE: the largest body chunk sent at once. */
    static final int CHUNK_SIZE = 65535;

    /**
     * The largest packet accepted from a milter: a replaced body comes in chunks of 64 KiB (1 MiB
     * with libmilter's largest chunk size), header fields are far smaller.
     */
    static final int MAX_PACKET = 2 * 1024 * 1024;

    /** The whole end of data with one milter, unless milter_content_timeout is longer (see MilterClient). */
    static final java.time.Duration MAX_END_OF_DATA = java.time.Duration.ofMinutes(8);

    /** Progress reports extend a timeout, up to this many times the timeout in all. */
    static final int MAX_PROGRESS_FACTOR = 10;

    // Commands (MTA to milter).
    static final char ABORT = 'A';
    static final char BODY = 'B';
    static final char CONNECT = 'C';
    static final char MACRO = 'D';
    static final char BODYEOB = 'E';
    static final char HELO = 'H';
    static final char HEADER = 'L';
    static final char MAIL = 'M';
    static final char EOH = 'N';
    static final char OPTNEG = 'O';
    static final char QUIT = 'Q';
    static final char RCPT = 'R';
    static final char DATA = 'T';

    // Replies (milter to MTA).
    static final char ADDRCPT = '+';
    static final char DELRCPT = '-';
    static final char ADDRCPT_PAR = '2';
    static final char SHUTDOWN = '4';
    static final char ACCEPT = 'a';
    static final char REPLBODY = 'b';
    static final char CONTINUE = 'c';
    static final char DISCARD = 'd';
    static final char CHGFROM = 'e';
    static final char CONN_FAIL = 'f';
    static final char ADDHEADER = 'h';
    static final char INSHEADER = 'i';
    static final char SETSYMLIST = 'l';
    static final char CHGHEADER = 'm';
    static final char PROGRESS = 'p';
    static final char QUARANTINE = 'q';
    static final char REJECT = 'r';
    static final char SKIP = 's';
    static final char TEMPFAIL = 't';
    static final char REPLYCODE = 'y';

    // Actions (SMFIF_*): what a milter may ask of the message. We offer them all.
    static final int ADD_HEADERS = 0x01;
    static final int CHANGE_BODY = 0x02;
    static final int ADD_RCPT = 0x04;
    static final int DELETE_RCPT = 0x08;
    static final int CHANGE_HEADERS = 0x10;
    static final int QUARANTINE_ACTION = 0x20;
    static final int CHANGE_FROM = 0x40;
    static final int ADD_RCPT_PARAMS = 0x80;
    static final int SET_SYMBOL_LIST = 0x100;
    static final int ALL_ACTIONS = 0x1FF;

    // Protocol flags (SMFIP_*).
    static final int NO_CONNECT = 0x01;
    static final int NO_HELO = 0x02;
    static final int NO_MAIL = 0x04;
    static final int NO_RCPT = 0x08;
    static final int NO_BODY = 0x10;
    static final int NO_HEADERS = 0x20;
    static final int NO_EOH = 0x40;
    static final int NR_HEADER = 0x80;
    static final int NO_UNKNOWN = 0x100;
    static final int NO_DATA = 0x200;
    static final int SKIP_OK = 0x400;
    static final int RCPT_REJECTED = 0x800;
    static final int NR_CONNECT = 0x1000;
    static final int NR_HELO = 0x2000;
    static final int NR_MAIL = 0x4000;
    static final int NR_RCPT = 0x8000;
    static final int NR_DATA = 0x10000;
    static final int NR_UNKNOWN = 0x20000;
    static final int NR_EOH = 0x40000;
    static final int NR_BODY = 0x80000;
    static final int HEADER_LEADING_SPACE = 0x100000;

    /**
     * What we offer: every stage may be left out and every reply left unsent, SKIP, and header
     * values with their leading space. Not RCPT_REJECTED (a refused recipient is never shown to
     * the milter) and not the larger body chunks.
     */
    static final int OFFERED_PROTOCOL = NO_CONNECT | NO_HELO | NO_MAIL | NO_RCPT | NO_BODY | NO_HEADERS | NO_EOH
            | NR_HEADER | NO_UNKNOWN | NO_DATA | SKIP_OK | NR_CONNECT | NR_HELO | NR_MAIL | NR_RCPT | NR_DATA
            | NR_UNKNOWN | NR_EOH | NR_BODY | HEADER_LEADING_SPACE;

    // Macro stages (SMFIM_*), as SETSYMLIST names them.
    static final int STAGE_CONNECT = 0;
    static final int STAGE_HELO = 1;
    static final int STAGE_MAIL = 2;
    static final int STAGE_RCPT = 3;
    static final int STAGE_DATA = 4;
    static final int STAGE_EOM = 5;
    static final int STAGE_EOH = 6;
    static final int STAGES = 7;
}
