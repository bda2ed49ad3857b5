"""The fund API: aid (routes collected by guanqing/fund/api/urls.py).

`/api/v1/fund/applications/`: the applications in the user's scope (the fund officer and the
committee all, a unit's administrator its unit's, a member its own), their steps (submit, withdraw,
decide, pay) and documents (multipart upload; download). Illness data (diagnosis, costs, documents)
is in the answer only for the fund officer and the committee, and only on a single application —
each such answer is recorded in the audit log; lists show the diagnosis masked for everyone.
`/api/v1/fund/publicity/?year=`: 公示, the year's payments with masked names.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from guanqing.core import audit, uploads
from guanqing.core.api.base import AccessAPIView, IdField, ServiceCreateMixin, ServiceUpdateMixin
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.fund import aid_services
from guanqing.fund.access import access
from guanqing.fund.choices import Decision, Diagnosis, DocumentKind, Relation
from guanqing.fund.filters_aid import ApplicationFilter
from guanqing.fund.models import AidApplication, AidDocument, Approval, Payment

MASK = audit.SENSITIVE_MARK

# --- serializers (what the API shows) -----------------------------------------------------------


class ApprovalSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text="fund_officer | committee")
    role_display = DisplayField(source="get_role_display")
    decision = serializers.CharField(read_only=True, help_text="approve | reject")
    decision_display = DisplayField(source="get_decision_display")
    approver_name = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "step",
            "role",
            "role_display",
            "approver_name",
            "decision",
            "decision_display",
            "note",
            "decided_at",
        ]
        read_only_fields = fields

    def get_approver_name(self, obj) -> str:
        return str(obj.approver)


class PaymentSerializer(serializers.ModelSerializer):
    voucher = serializers.CharField(source="transaction.number", read_only=True)

    class Meta:
        model = Payment
        fields = ["amount", "paid_on", "transfer_reference", "voucher"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True, help_text="diagnosis | invoice | settlement | other"
    )
    kind_display = DisplayField(source="get_kind_display")

    class Meta:
        model = AidDocument
        fields = ["id", "kind", "kind_display", "original_name", "content_type", "size"]
        read_only_fields = fields


class ApplicationListSerializer(serializers.ModelSerializer):
    """An application in a list: never its illness data (the diagnosis is shown masked)."""

    state = serializers.CharField(
        read_only=True, help_text="draft | submitted | approved | paid | rejected | withdrawn"
    )
    state_display = DisplayField(source="get_state_display")
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    relation = serializers.CharField(read_only=True, help_text="self | spouse | child | parent")
    relation_display = DisplayField(source="get_relation_display")
    diagnosis = serializers.SerializerMethodField(help_text=gettext_lazy("列表中始终打码"))

    class Meta:
        model = AidApplication
        fields = [
            "id",
            "number",
            "year",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "relation",
            "relation_display",
            "diagnosis",
            "amount",
            "state",
            "state_display",
            "submitted_on",
            "decided_on",
        ]
        read_only_fields = fields

    def get_diagnosis(self, obj) -> str:
        return MASK


class ApplicationSerializer(ApplicationListSerializer):
    """An application for its unit's administrator and the member: state, amount and steps."""

    chain = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=gettext_lazy("审批链（角色）")
    )
    approvals = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "patient_name",
            "reason",
            "chain",
            "approvals",
            "payment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ApprovalSerializer(many=True))
    def get_approvals(self, obj):
        rows = Approval.objects.filter(application=obj).select_related("approver").order_by("step")
        return ApprovalSerializer(rows, many=True).data

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, obj):
        payment = Payment.objects.filter(application=obj).select_related("transaction").first()
        return PaymentSerializer(payment).data if payment is not None else None


class ApplicationReaderSerializer(ApplicationSerializer):
    """An application for the fund officer and the committee: with the illness data."""

    diagnosis = serializers.CharField(
        read_only=True,
        help_text="cancer | uremia | transplant | cardio | leukemia | nerve | injury | other",
    )
    diagnosis_display = DisplayField(source="get_diagnosis_display")
    documents = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "diagnosis_display",
            "diagnosis_note",
            "total_cost",
            "reimbursed",
            "self_paid",
            "documents",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj):
        rows = AidDocument.objects.filter(application=obj).order_by("pk")
        return DocumentSerializer(rows, many=True).data


# --- serializers (what the API takes: shapes only, the services decide) -------------------------


def _relation(**kwargs):
    # a plain string in the schema (the registry has a `relation` enum too); the service checks it
    return serializers.CharField(
        max_length=10, help_text="self | spouse | child | parent", **kwargs
    )


def _money(help_text, *, required=True):
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, required=required, help_text=help_text
    )


class ApplicationCreateSerializer(serializers.Serializer):
    member = IdField(help_text=gettext_lazy("职工（单位党务管理员：本单位职工）"))
    relation = _relation(required=False, default=Relation.SELF)
    patient_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    diagnosis = serializers.ChoiceField(choices=Diagnosis.choices)
    diagnosis_note = serializers.CharField(
        max_length=LONG_TEXT_MAX, required=False, allow_blank=True, default=""
    )
    total_cost = _money(gettext_lazy("医疗总费用（元）"))
    reimbursed = _money(gettext_lazy("医保等已报销（元）"))
    reason = serializers.CharField(
        max_length=LONG_TEXT_MAX, required=False, allow_blank=True, default=""
    )


class ApplicationUpdateSerializer(serializers.Serializer):
    """A draft's changes: the fields given change, the others stay."""

    relation = _relation(required=False)
    patient_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    diagnosis = serializers.ChoiceField(choices=Diagnosis.choices, required=False)
    diagnosis_note = serializers.CharField(
        max_length=LONG_TEXT_MAX, required=False, allow_blank=True
    )
    total_cost = _money(gettext_lazy("医疗总费用（元）"), required=False)
    reimbursed = _money(gettext_lazy("医保等已报销（元）"), required=False)
    reason = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    note = serializers.CharField(
        max_length=LONG_TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("审批意见（不同意时必填）"),
    )


class PaySerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, default=None, allow_null=True)
    transfer_reference = serializers.CharField(max_length=60, help_text=gettext_lazy("转账流水号"))


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(help_text=gettext_lazy("PDF、JPEG 或 PNG，不超过 10 MB"))


class PublicityRowSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=gettext_lazy("姓名（打码）"))
    unit = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_on = serializers.DateField()


class PublicitySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    results = PublicityRowSerializer(many=True)


# --- views ----------------------------------------------------------------------------------------


def _refused():
    return OpenApiResponse(description=gettext_lazy("申请当前状态不允许此操作 {detail: message}"))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("帮扶金申请"),
        description=gettext_lazy(
            "帮扶金经办人和机关工委看全部，单位党务管理员看本单位职工的，党员干部看自己的。列表中疾病类别始终打码；?waiting=true 为待我审批。"
        ),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("帮扶金申请详情"),
        description=gettext_lazy(
            "帮扶金经办人和机关工委看到病情、费用和材料（每次查看均记入审计日志）；其他角色只看到状态、金额和审批经过。"
        ),
        responses={200: ApplicationReaderSerializer},
    ),
    create=extend_schema(
        summary=gettext_lazy("填写帮扶金申请（草稿）"),
        request=ApplicationCreateSerializer,
        responses={201: ApplicationReaderSerializer},
    ),
    update=extend_schema(
        summary=gettext_lazy("修改草稿"),
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationReaderSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改草稿"),
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationReaderSerializer},
    ),
)
class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """帮扶金申请 Aid applications: draft → submitted → approved → paid."""

    model = AidApplication
    filterset_class = ApplicationFilter
    select_related = ("member", "unit")
    ordering_fields = ["created_at", "submitted_on", "amount", "number"]
    ordering = ["-created_at", "-id"]
    access = access
    access_rule = "applications"
    create_rule = "apply"
    action_access = {
        "update": "apply",
        "partial_update": "apply",
        "submit": "apply",
        "withdraw": "apply",
        "decide": "approve",
        "pay": "pay",
        "documents": "apply",
        "document": "illness",
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _reader(self) -> bool:
        return aid_services.may_read_illness(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return ApplicationCreateSerializer
        if self.action in ("update", "partial_update"):
            return ApplicationUpdateSerializer
        if self.action == "list":
            return ApplicationListSerializer
        return ApplicationReaderSerializer if self._reader() else ApplicationSerializer

    def respond_with(self, obj, status_code=200, serializer_class=None):
        reader = self._reader()
        if reader:
            aid_services.illness_read(actor=self.request.user, application=obj)
        serializer_class = ApplicationReaderSerializer if reader else ApplicationSerializer
        data = serializer_class(obj, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self.respond_with(self.get_object())

    def service_create(self, data):
        return aid_services.application_create(actor=self.request.user, **data)

    def service_update(self, obj, data):
        return aid_services.application_update(actor=self.request.user, application=obj, **data)

    def _application(self) -> AidApplication:
        application = self.get_object()
        self.check_edit_permission(application)
        return application

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _move(self, service, serializer_class=None):
        application = self._application()
        data = self._input(serializer_class) if serializer_class is not None else {}
        service(actor=self.request.user, application=application, **data)
        return self.respond_with(self.read_back(application))

    @extend_schema(
        request=None,
        responses={200: ApplicationReaderSerializer, 409: _refused()},
        summary=gettext_lazy("提交审批（须有诊断证明；审批链按金额确定）"),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(aid_services.application_submit)

    @extend_schema(
        request=None,
        responses={200: ApplicationReaderSerializer, 409: _refused()},
        summary=gettext_lazy("撤回申请"),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move(aid_services.application_withdraw)

    @extend_schema(
        request=DecideSerializer,
        responses={200: ApplicationReaderSerializer, 403: None, 409: _refused()},
        summary=gettext_lazy("审批（审批链的下一步；本人经办或受助的申请、已审批过的不能再审批）"),
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._move(aid_services.application_decide, DecideSerializer)

    @extend_schema(
        request=PaySerializer,
        responses={200: ApplicationReaderSerializer, 409: _refused()},
        summary=gettext_lazy("发放（帮扶金经办人；余额不足或超过年度上限的不能发放）"),
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        application = self._application()
        data = self._input(PaySerializer)
        if data.get("paid_on") is None:
            data["paid_on"] = business_date()
        aid_services.application_pay(actor=request.user, application=application, **data)
        return self.respond_with(self.read_back(application))

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: ApplicationReaderSerializer, 409: _refused()},
        summary=gettext_lazy("上传申请材料（草稿；multipart）"),
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        application = self._application()
        data = self._input(DocumentUploadSerializer)
        try:
            aid_services.application_documents_add(
                actor=request.user,
                application=application,
                documents=[(data["kind"], data["file"])],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            # the service names the list of documents; this endpoint takes one `file`
            raise DRFValidationError(
                {
                    ("file" if key.startswith("documents") else key): value
                    for key, value in exc.message_dict.items()
                }
            ) from exc
        return self.respond_with(self.read_back(application), status_code=201)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description=gettext_lazy("材料文件")),
            404: OpenApiResponse(description=gettext_lazy("不存在或不在权限范围内")),
        },
        summary=gettext_lazy("下载申请材料（帮扶金经办人和机关工委；记入审计日志）"),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_pk>[0-9]+)",
        url_name="document",
        filter_backends=[],
    )
    def document(self, request, pk=None, document_pk=None):
        application = self.get_object()
        document = get_object_or_404(
            AidDocument.objects.filter(application=application), pk=int(document_pk)
        )
        aid_services.illness_read(actor=request.user, application=application, document=document)
        return uploads.stored_file_response(document, cache_seconds=0)


class PublicityView(AccessAPIView):
    """公示 The year's payments: the name masked, the unit, the amount and the day."""

    access = access
    access_rule = "publicity"

    @extend_schema(
        summary=gettext_lazy("帮扶金公示"),
        description=gettext_lazy(
            "某年已发放的帮扶金：姓名打码、单位、金额、发放日期；不含病情、证件号和电话。"
        ),
        parameters=[
            OpenApiParameter(
                "year", int, required=False, description=gettext_lazy("年度；不填为今年")
            )
        ],
        responses={200: PublicitySerializer},
    )
    def get(self, request):
        raw = request.query_params.get("year")
        year = business_date().year
        if raw not in (None, ""):
            if not raw.isascii() or not raw.isdigit() or not 2000 <= int(raw) <= 9999:
                raise DRFValidationError({"year": [_("年度应为 2000–9999 的整数")]})
            year = int(raw)
        rows = aid_services.publicity(year)
        total = sum((row.amount for row in rows), start=0)
        data = {
            "year": year,
            "count": len(rows),
            "total": total,
            "results": [row.__dict__ for row in rows],
        }
        return Response(PublicitySerializer(data).data)


ROUTES: list = [("fund/applications", ApplicationViewSet, "fund-application")]
urlpatterns: list = [
    path("fund/publicity/", PublicityView.as_view(), name="fund-publicity"),
]
