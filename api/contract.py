"""The HTTP contract as pydantic models: every request body, answer and error. Validation and /openapi.json use them."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, cast, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from weave_ml.model.predictions import DEFAULT_SENSITIVITY, SENSITIVITY_LEVELS

MAX_MESSAGE_CHARS = 10_000
MAX_SENDER_CHARS = 64
MAX_ID_CHARS = 128
MAX_BATCH = 10_000

Sensitivity = Literal["low", "medium", "high"]
RiskLevel = Literal["low", "medium", "high"]
if get_args(Sensitivity) != SENSITIVITY_LEVELS:  # the library owns the levels; the contract must follow it
    raise RuntimeError(f"api.contract.Sensitivity {get_args(Sensitivity)} differs from {SENSITIVITY_LEVELS}")

# The same rules as ECMA-262 patterns, for clients and generated tests reading the document: at least one
# non-blank character and no NUL in a message; no control character in a sender or an id.
MESSAGE_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
NO_CONTROL_PATTERN = r"^[^\u0000-\u001f\u007f]*$"


def _check_message(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank", "message is empty")
    if "\x00" in text:
        raise PydanticCustomError("nul", "message contains a NUL character")
    return text


def _check_plain(text: str) -> str:
    # A newline or another control character in a value that is logged could forge log lines.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise PydanticCustomError("control_character", "contains a control character")
    return text


def _non_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank", "version is empty")
    return text


MessageText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_MESSAGE_CHARS, json_schema_extra={"pattern": MESSAGE_PATTERN}),
    AfterValidator(_check_message),
]
Sender = Annotated[
    str,
    Field(max_length=MAX_SENDER_CHARS, json_schema_extra={"pattern": NO_CONTROL_PATTERN}),
    AfterValidator(_check_plain),
]
ItemId = Annotated[
    str, Field(max_length=MAX_ID_CHARS, json_schema_extra={"pattern": NO_CONTROL_PATTERN}), AfterValidator(_check_plain)
]


class _Body(BaseModel):
    # Unknown keys are ignored, so a newer client's extra fields do not break an older gateway.
    model_config = ConfigDict(extra="ignore")


class PredictRequest(_Body):
    """One message to score and how the caller wants it judged."""

    message: MessageText
    sender: Sender | None = None
    sensitivity_level: Sensitivity | None = Field(default=cast(Sensitivity, DEFAULT_SENSITIVITY))

    @property
    def sensitivity(self) -> str:
        """The sensitivity to decide with (``sensitivity_level``, or the default when null)."""
        return self.sensitivity_level or DEFAULT_SENSITIVITY


class BatchItem(PredictRequest):
    """One message of a batch, with the caller's id to find its result by."""

    id: ItemId | None = None


class BatchRequest(_Body):
    """Up to MAX_BATCH messages; ids, when given, are unique in the batch (400 ``duplicate_id`` otherwise)."""

    messages: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def _unique_ids(self) -> BatchRequest:
        seen: set[str] = set()
        for position, item in enumerate(self.messages):
            if item.id is None:
                continue
            if item.id in seen:
                raise PydanticCustomError(
                    "duplicate_id", "id {id!r} appears more than once", {"id": item.id, "position": position}
                )
            seen.add(item.id)
        return self


class RollbackRequest(_Body):
    """The version to make current; without it, the published version before the current one."""

    version: (
        Annotated[str, Field(min_length=1, json_schema_extra={"pattern": r"\S"}), AfterValidator(_non_blank)] | None
    ) = None


class CampaignInfo(BaseModel):
    """The campaign a message belongs to: near-identical texts from at least CAMPAIGN_MIN_SENDERS senders."""

    id: str
    first_seen: str = Field(description="when its first message was seen (ISO 8601, UTC)")
    messages: int = Field(ge=0, description="messages counted in it within the window")
    senders: int = Field(ge=0, description="distinct senders (estimated; exact for small counts)")
    phishing_share: float = Field(
        ge=0, le=1, description="share of its senders who sent a member scored phishing (a repeat counts once)"
    )
    verdict: Literal["phishing", "normal"] | None = Field(
        description="what reports on its members said: an admin's verdict, or that of enough distinct users"
    )
    verdict_source: Literal["admin", "users"] | None = Field(
        None, description="who gave the verdict: an admin (final), or CAMPAIGN_REPORTERS distinct users"
    )


Reputation = Literal["unknown", "clean", "suspicious", "reported"]


class LinkReputation(BaseModel):
    """One link of the message (one per registrable domain, in the order written) and what is known of it."""

    domain: str = Field(description="its registrable domain, as a browser resolves it (punycode for a Korean one)")
    official: bool = Field(
        False, description="an official domain of an organisation (the bundled list, or an operator's verified one)"
    )
    seen_before: bool = Field(
        description="a text linking to this domain was seen before this one; false for a link never seen, which the "
        "app may hold for a re-check (GET /predict/result/<id> or the batch shows the later verdict)"
    )
    reputation: Reputation = Field(
        description="reported (reports or a phishing campaign marked it: the answer is raised), suspicious (texts "
        "linking to it were scored phishing by many senders; changes nothing), clean (judged normal, official or "
        "verified), unknown"
    )


class Prediction(BaseModel):
    """What the model says about one message, judged at the caller's sensitivity."""

    is_phishing: bool
    phishing_probability: float = Field(ge=0, le=1)
    risk_level: RiskLevel
    sensitivity_level: Sensitivity
    threshold: float = Field(ge=0, le=1)
    reasons: list[str] = Field(description="the features that drove the score, most important first")
    model_version: str
    cached: bool
    message_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    campaign: CampaignInfo | None = Field(
        default=None,
        description="the active campaign of the message, else null; a phishing campaign raises is_phishing and "
        "risk_level (reason 대량 발송 캠페인), never the probability",
    )
    links: list[LinkReputation] = Field(
        default_factory=list,
        description="each link's domain and reputation; a reported domain or call-back number raises is_phishing and "
        "risk_level (reason 신고된 링크, 신고된 전화번호, first), never the probability; empty with REPUTATION=false",
    )


class CampaignReporters(BaseModel):
    """Distinct users who reported the campaign each way (reports without a reporter id count as one)."""

    phishing: int = Field(ge=0)
    normal: int = Field(ge=0)


class CampaignListed(CampaignInfo):
    """A campaign as operators see it; the masked template only for a phishing campaign."""

    last_seen: str = Field(description="when its last message was seen (ISO 8601, UTC)")
    vouched: bool = Field(
        description="its texts' links are all official domains of an organisation they name: it is never raised"
    )
    reporters: CampaignReporters
    phishing: bool = Field(description="whether the policy raises its members' risk")
    template: str | None = Field(description="its text with names, numbers, amounts and links masked; phishing only")


class Campaigns(BaseModel):
    """The active campaigns, most recently active first, and the rules that made them."""

    campaigns: list[CampaignListed]
    window_s: int
    min_senders: int
    phishing_share: float


class CampaignReport(_Body):
    """A reported message and its verdict. An admin's verdict (the default) is the campaign's, final until another
    admin's; a user's report counts once per reporter, and the campaign takes users' verdict once
    CAMPAIGN_REPORTERS distinct users agree."""

    message: MessageText
    verdict: Literal["phishing", "normal"]
    source: Literal["admin", "user"] = Field("admin", description="who judged the message")
    reporter: str | None = Field(
        None,
        max_length=200,
        description="a user's report: the app user's id (kept only as a keyed hash); none counts as one anonymous user",
    )


class CampaignLabelled(BaseModel):
    """The campaign the reported message belongs to, labelled; null when the text is too short to belong to one."""

    campaign: CampaignInfo | None


class CampaignVerdictChange(BaseModel):
    """One change of a campaign's verdict, and what made it."""

    campaign: str = Field(description="the campaign's id")
    at: str = Field(description="when (ISO 8601, UTC)")
    source: Literal["admin", "users", "scores"] = Field(
        description="an admin's verdict, enough users' reports, or the share of senders scored phishing"
    )
    verdict: Literal["phishing", "normal"] | None = Field(description="the reports' verdict after the change")
    phishing: bool = Field(description="whether the policy raises the campaign after the change")
    reporters: CampaignReporters
    senders: int = Field(ge=0)
    phishing_senders: int = Field(ge=0, description="senders who sent a member scored phishing")


class CampaignVerdictChanges(BaseModel):
    """The latest changes of campaigns' verdicts, newest first."""

    changes: list[CampaignVerdictChange]


class CampaignExample(BaseModel):
    """A phishing campaign's masked template, kept as a weakly labelled example for the retrain."""

    id: str = Field(description="the campaign's id")
    template: str = Field(description="its text with names, numbers, amounts and links masked")
    last_seen: str = Field(description="when the campaign was last seen (ISO 8601, UTC)")


class CampaignExamples(BaseModel):
    """The kept templates, newest first, and how a retrain uses them."""

    examples: list[CampaignExample]
    weight: float = Field(description="CAMPAIGN_EXAMPLES_WEIGHT: an example's weight next to a report's 1")
    used_at_most: int = Field(description="CAMPAIGN_EXAMPLES_MAX: the newest this many are used by a retrain")


class CampaignExampleRefused(BaseModel):
    """A template taken off the list: no retrain uses it, and it is not kept again for ML_RETRAIN_DAYS."""

    id: str
    refused: bool = True


class ErrorDetail(BaseModel):
    """A machine-readable code, a message for people, and the field at fault when there is one."""

    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Every failure is answered with this shape, never an HTML page."""

    error: ErrorDetail


class TimeoutBody(ErrorBody):
    """504: no worker answered in time; the answer can be fetched later at ``status_url``."""

    task_id: str
    status_url: str


class ScoredItem(Prediction):
    """A batch result: a prediction with the message's position in the input and the caller's id."""

    index: int = Field(ge=0)
    id: str | None = None


class FailedItem(BaseModel):
    """A batch result whose scoring failed for good."""

    index: int = Field(ge=0)
    id: str | None = None
    error: ErrorDetail


def in_declared_order(model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as a validated ``model`` would dump them: its fields in its order, defaults for those missing.

    For bodies the gateway built itself and sends without validating them again (a batch job's results).
    """
    return {name: values[name] if name in values else default() for name, default in _fields_of(model)}


@functools.cache
def _fields_of(model: type[BaseModel]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    return tuple(
        (name, functools.partial(field.get_default, call_default_factory=True))
        for name, field in model.model_fields.items()
    )


class BatchCreated(BaseModel):
    """A queued batch job and where to follow it."""

    batch_id: str
    status_url: str
    total: int = Field(ge=1)


class BatchPage(BaseModel):
    """Which results a batch's status holds (query parameters): all by default."""

    model_config = ConfigDict(extra="ignore")

    offset: int = Field(0, ge=0, le=MAX_BATCH, description="the first position whose result is sent")
    limit: int | None = Field(
        None,
        ge=0,
        le=MAX_BATCH,
        description="at most this many positions from offset (results of positions not scored yet are absent); 0: "
        "the progress alone, the cheapest poll; all positions when absent",
    )


class BatchStatus(BaseModel):
    """A batch job's progress and its results so far, in input order."""

    batch_id: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int
    failed: int
    results: list[ScoredItem | FailedItem]


class PendingAnswer(BaseModel):
    """A prediction that timed out and is not scored yet."""

    task_id: str
    status: Literal["pending"]


class WorkerState(BaseModel):
    """What one scoring process serves, as it last published it."""

    hostname: str | None
    pid: int | None
    model_version: str | None
    error: str | None
    failed_version: str | None
    candidate_version: str | None = Field(default=None, description="the rollout candidate it also scores with")
    candidate_error: str | None = Field(default=None, description="why it could not load the rollout's candidate")


class Liveness(BaseModel):
    """The gateway process answers; nothing else is checked."""

    status: Literal["alive"]


class Health(BaseModel):
    """Real checks of the broker, the cache, the registry and the workers' models (the first four keys as the seed
    had them)."""

    status: Literal["healthy", "degraded", "unhealthy"]
    model_loaded: bool
    model_path: str | None
    model_version: str | None
    vocabulary_size: int | None
    broker: str
    cache: str
    workers: list[WorkerState]
    serving_versions: list[str] = Field(description="the model versions the live workers serve, newest first")
    problems: list[str]


class ModelVersion(BaseModel):
    """A version's metadata.json (metrics, sha256, data window, thresholds …)."""

    model_config = ConfigDict(extra="allow")

    version: str
    status: str | None = None
    current: bool | None = None


class Models(BaseModel):
    """Every version in the registry, oldest first."""

    current: str | None
    versions: list[ModelVersion]


class RetrainStarted(BaseModel):
    """A retrain queued on the training queue."""

    task_id: str
    status_url: str


class RetrainStatus(BaseModel):
    """A retrain's state and, when it finished, its summary or why it failed."""

    task_id: str
    state: str
    result: dict[str, Any] | None = None
    error: str | None = None


class Rollback(BaseModel):
    """The pointer moved: the now-current version and the one before."""

    current_version: str
    previous_version: str | None


class RegistryChangePending(BaseModel):
    """A registry change queued for the trainer and not applied yet; ``status_url`` answers its outcome."""

    task_id: str
    status_url: str
    state: str


RolloutMode = Literal["shadow", "canary"]


class RolloutRequest(_Body):
    """A rollout to start: a stored version as candidate, its mode, and in canary mode the share it answers."""

    candidate: Annotated[
        str,
        Field(min_length=1, max_length=MAX_ID_CHARS, json_schema_extra={"pattern": r"\S"}),
        AfterValidator(_non_blank),
    ]
    mode: RolloutMode
    share: float | None = Field(
        default=None, ge=0, le=100, description="percent of messages the candidate answers (canary; default 10)"
    )


class RolloutRecord(BaseModel):
    """The rollout in progress, as the registry records it."""

    candidate: str
    mode: RolloutMode
    share: float = Field(ge=0, le=100, description="percent of messages the candidate answers")
    started: str
    current: str | None = Field(description="the current version when the rollout began")


class VersionEvidence(BaseModel):
    """What the workers measured of one version during the rollout."""

    scored: int
    answered: int
    positive: int = Field(description="messages it flagged at its own medium threshold")
    errors: int
    positive_rate: float | None
    error_rate: float | None
    latency_ms: float | None = Field(description="mean scoring time per message")


class RolloutEvidence(BaseModel):
    """Per version, and how often the two versions decided alike on the same messages."""

    versions: dict[str, VersionEvidence]
    compared: int
    agreement: float | None


class RolloutStatus(BaseModel):
    """The rollout in progress (null when none), its evidence, and the last automatic check (reports, decision)."""

    rollout: RolloutRecord | None
    current_version: str | None
    evidence: RolloutEvidence | None
    last_check: dict[str, Any] | None


class RolloutChange(BaseModel):
    """A rollout started, promoted or aborted by the trainer."""

    event: Literal["started", "promoted", "aborted"]
    rollout: RolloutRecord
    current_version: str | None
    previous_version: str | None = None
    reason: str | None = None


ReputationVerdict = Literal["reported", "suspicious", "clean"]
# Plain text (no control character) with at least one character that is not blank.
FILLED_PATTERN = r"^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$"


def _filled(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank", "is empty")
    return _check_plain(text)


PlainText = Annotated[
    str, Field(max_length=300, json_schema_extra={"pattern": NO_CONTROL_PATTERN}), AfterValidator(_check_plain)
]
ReputationSource = Literal["admin", "reports", "campaign", "users", "scores"]


class ReputationQuery(_Body):
    """A domain (or a URL or host: its registrable domain is looked up) or a number (any way of writing it, or a
    messenger id as ``kakao:abc123``)."""

    domain: PlainText | None = None
    number: Sender | None = None


class ReputationReport(ReputationQuery):
    """An admin's verdict on a domain or a number: final until another admin's, whatever reports and scores say."""

    verdict: Literal["phishing", "normal"]


class ReputationCounts(BaseModel):
    """Evidence counted each way."""

    phishing: int = Field(ge=0)
    normal: int = Field(ge=0)


class ReputationCampaigns(BaseModel):
    """Phishing campaigns its texts belong to, by what made each phishing."""

    admin: int = Field(ge=0)
    users: int = Field(ge=0)
    scores: int = Field(ge=0)


class ReputationChange(BaseModel):
    """One change of an entry's verdict, and what made it."""

    entry: str = Field(description="the entry's id: d:<domain>, or n:<keyed hash of a number>")
    at: str = Field(description="when (ISO 8601, UTC)")
    source: ReputationSource | None = Field(description="what made the change")
    verdict: ReputationVerdict | None = Field(description="the verdict after the change")
    was: ReputationVerdict | None = Field(description="the verdict before")
    reporters: ReputationCounts
    reports: ReputationCounts
    campaigns: ReputationCampaigns
    senders: int = Field(ge=0)
    phishing_senders: int = Field(ge=0)


class ReputationEntry(BaseModel):
    """What the service holds of a domain or number (a number only as a keyed hash), and what answers make of it."""

    id: str = Field(description="d:<domain>, or n:<keyed hash of the number>")
    domain: str | None = Field(description="the registrable domain; null for a number")
    reputation: Reputation = Field(description="what an answer holding it shows")
    blocks: bool = Field(description="whether a text linking to it or asking to call it is answered phishing")
    verdict: ReputationVerdict | None
    source: ReputationSource | None
    official: bool = Field(description="an official domain of an organisation")
    protected: bool = Field(
        description="evidence from texts never marks it (official, a host anyone publishes on, an organisation's "
        "number, a verified sender): only an admin's verdict on it"
    )
    verified_for: str | None = Field(description="the organisation it is a verified sender of")
    admin: Literal["phishing", "normal"] | None = Field(description="an admin's verdict on it")
    messages: int = Field(ge=0, description="texts seen holding it")
    senders: int = Field(ge=0, description="their distinct senders (estimated)")
    phishing_senders: int = Field(ge=0, description="those who sent one scored phishing")
    first_seen: str | None
    last_seen: str | None
    reporters: ReputationCounts = Field(description="distinct users who reported texts holding it, each way")
    reports: ReputationCounts = Field(description="reported texts holding it an admin judged, each way")
    campaigns: ReputationCampaigns
    changes: list[ReputationChange] = Field(description="the latest changes of its verdict, newest first")


class VerifiedSender(BaseModel):
    """A number or domain an operator verified as an organisation's own."""

    id: str = Field(description="d:<domain>, or n:<keyed hash of the number>; DELETE takes it")
    shown: str = Field(description="the domain, or the number with all but its last four digits masked")
    organisation: str
    added_at: str = Field(description="when it was added (ISO 8601, UTC)")


class VerifiedSenders(BaseModel):
    """The verified senders, by organisation."""

    senders: list[VerifiedSender]


class VerifiedSenderAdded(_Body):
    """A number or an official domain of an organisation. A text from a verified number whose every link is official
    (or verified for the same organisation) and every call-back number is verified for it is answered low risk,
    unless an admin reported one of them."""

    domain: PlainText | None = None
    number: Sender | None = None
    organisation: Annotated[
        str, Field(min_length=1, max_length=100, json_schema_extra={"pattern": FILLED_PATTERN}), AfterValidator(_filled)
    ]


class VerifiedSenderRemoved(BaseModel):
    """A verified sender taken off the list."""

    id: str
    removed: bool = True


class ReputationChanges(BaseModel):
    """The latest changes of entries' verdicts, newest first."""

    changes: list[ReputationChange]
