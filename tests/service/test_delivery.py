"""The delivery example (examples/delivery/): the founding document's state machine with its
Python handlers as Lambda functions of `estado serve`, one execution per path."""

import json
import os
from pathlib import Path

import pytest

from sfn_helpers import client_for, history, run_to_end, unique

pytestmark = pytest.mark.xfail_on_moto("moto does not run local Lambda functions")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "delivery"
ARN = "arn:aws:lambda:us-west-2:123456789012:function:"


@pytest.fixture(scope="module")
def delivery(tmp_path_factory, request):
    """`estado serve --config examples/delivery/estado.toml` and the `entrega` state machine."""
    if request.config.getoption("--target") != "estado":
        pytest.skip("needs estado itself")
    from conftest import _start_estado, _stop

    os.environ["ESTADO_CONFIG"] = str(EXAMPLE / "estado.toml")
    try:
        srv = _start_estado(request.config.getoption("--estado-bin"), tmp_path_factory.mktemp("delivery"))
    finally:
        del os.environ["ESTADO_CONFIG"]
    sfn = client_for(srv.endpoint)
    sm = sfn.create_state_machine(
        name=unique("entrega"),
        definition=(EXAMPLE / "entrega.asl.json").read_text(encoding="utf-8"),
        roleArn="arn:aws:iam::123456789012:role/entrega",
    )["stateMachineArn"]
    yield sfn, sm
    _stop(srv.process)


def run(delivery, input_name):
    sfn, sm = delivery
    doc = json.loads((EXAMPLE / "inputs" / input_name).read_text(encoding="utf-8"))
    done = run_to_end(sfn, sm, doc)
    return done, history(sfn, done["executionArn"])


def entered(events):
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def lambda_calls(events):
    """(function, input, output) of each Lambda call, from the history."""
    calls, pending = [], None
    for e in events:
        if e["type"] == "LambdaFunctionScheduled":
            d = e["lambdaFunctionScheduledEventDetails"]
            pending = (d["resource"].removeprefix(ARN), json.loads(d["input"]))
        elif e["type"] == "LambdaFunctionSucceeded":
            calls.append((*pending, json.loads(e["lambdaFunctionSucceededEventDetails"]["output"])))
    return calls


def test_an_available_item_paid_for_is_sent_for_delivery(delivery):
    done, events = run(delivery, "entregue.json")
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {
        "pedido": "P-1001",
        "total": 90.0,
        "status": "enviado_para_entrega",
        "entrega": {"codigo_rastreio": "ENT-66790E7C", "endereco": "Rua das Flores, 123"},
    }
    assert entered(events) == [
        "ReceberPedido", "VerificarDisponibilidade", "ChecarDisponibilidade",
        "ProcessarPagamento", "ChecarPagamento", "EnviarParaEntrega", "ConfirmarEntrega",
    ]
    calls = lambda_calls(events)
    assert [c[0] for c in calls] == [
        "receberPedido", "verificarDisponibilidade", "processarPagamento", "enviarParaEntrega",
    ]
    assert calls[1][2]["status"] == "item_disponivel"
    assert calls[2][2]["status"] == "pagamento_confirmado"
    assert [e["type"] for e in events][-2:] == ["SucceedStateExited", "ExecutionSucceeded"]


def test_an_unavailable_item_ends_in_its_fail_state(delivery):
    done, events = run(delivery, "indisponivel.json")
    assert done["status"] == "FAILED"
    assert (done["error"], done["cause"]) == ("Item não está disponível", "Item Indisponível")
    assert entered(events) == [
        "ReceberPedido", "VerificarDisponibilidade", "ChecarDisponibilidade",
        "EncerrarPorIndisponibilidade",
    ]
    assert lambda_calls(events)[-1][2]["status"] == "item_indisponivel"
    failed = events[-1]
    assert failed["type"] == "ExecutionFailed"
    assert failed["executionFailedEventDetails"] == {
        "error": "Item não está disponível", "cause": "Item Indisponível",
    }


def test_a_refused_payment_ends_in_its_fail_state(delivery):
    done, events = run(delivery, "pagamento-recusado.json")
    assert done["status"] == "FAILED"
    assert (done["error"], done["cause"]) == ("Erro de pagamento", "Pagamento Falhou")
    assert entered(events) == [
        "ReceberPedido", "VerificarDisponibilidade", "ChecarDisponibilidade",
        "ProcessarPagamento", "ChecarPagamento", "EncerrarPorFalhaNoPagamento",
    ]
    payment = lambda_calls(events)[-1]
    assert payment[0] == "processarPagamento"
    assert payment[2] == {"pedido": payment[1]["pedido"], "total": 95.0, "status": "pagamento_falhou"}


def test_a_malformed_order_fails_in_the_first_handler(delivery):
    sfn, sm = delivery
    done = run_to_end(sfn, sm, {"pedido": {"id": "P-9"}})
    assert done["status"] == "FAILED"
    assert done["error"] == "PedidoInvalido"
    assert json.loads(done["cause"])["errorMessage"] == "o pedido não tem 'item'"
